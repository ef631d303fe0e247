# Least-privilege identities: one service account per function, one for the relay, one that
# Pub/Sub pushes as, one that builds the functions (and two per workflow: workflows.tf). Each
# gets only what it uses.

# --- The functions' runtime identities.

resource "google_service_account" "fn" {
  for_each = local.functions

  account_id   = "td-fn-${each.key}"
  display_name = "teledesk function ${each.key}"
  description  = "Runs ${each.value.source}; publishes on ${join(", ", each.value.publishes)}."

  lifecycle {
    precondition {
      condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", "td-fn-${each.key}"))
      error_message = "Function name ${each.key} must be lowercase letters, digits and hyphens, at most 24 characters."
    }
  }

  depends_on = [google_project_service.apis]
}

# Publisher on its own topics only (topic_out, an event step's dead-letter topic, and the trigger
# topics of the workflows whose `published_by` names it).
resource "google_pubsub_topic_iam_member" "fn_publisher" {
  for_each = local.function_publish_grants

  topic  = google_pubsub_topic.all[each.value.topic].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn[each.value.function].email}"
}

# Secret accessor on the secrets it reads, each secret on its own.
resource "google_secret_manager_secret_iam_member" "fn" {
  for_each = local.function_secret_grants

  project   = var.project_id
  secret_id = each.value.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.fn[each.value.function].email}"
}

# Firestore (conversation state), for every function, and writing metric series, for the functions
# whose manifest entry says `writes_metrics: true` only: project-wide is the narrowest grant there is.
resource "google_project_iam_member" "fn_datastore" {
  for_each = local.functions

  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.fn[each.key].email}"
}

resource "google_project_iam_member" "fn_metric_writer" {
  for_each = local.metric_writers

  project = var.project_id
  role    = "roles/monitoring.metricWriter"
  member  = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# --- The identity Pub/Sub pushes as: invoker of the event functions, nothing else.

resource "google_service_account" "push_invoker" {
  account_id   = "td-push-invoker"
  display_name = "teledesk Pub/Sub push invoker"
  description  = "Identity in the OIDC token of the push subscriptions; may only invoke the event steps."

  depends_on = [google_project_service.apis]
}

resource "google_cloud_run_v2_service_iam_member" "push_invoker" {
  for_each = local.event_steps

  project  = var.project_id
  location = var.region
  # A 2nd gen function runs as the Cloud Run service of the same name.
  name   = google_cloudfunctions2_function.fn[each.key].name
  role   = "roles/run.invoker"
  member = "serviceAccount:${google_service_account.push_invoker.email}"
}

# The Pub/Sub service agent signs the push tokens as the invoker.
resource "google_service_account_iam_member" "pubsub_mints_push_tokens" {
  service_account_id = google_service_account.push_invoker.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

# --- The HTTP entry points (the webhook) are public: Telegram calls them without Google credentials.

resource "google_cloud_run_v2_service_iam_member" "http_public" {
  for_each = local.http_entries

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- The relay.

resource "google_service_account" "relay" {
  account_id   = "td-relay"
  display_name = "teledesk relay"
  description  = "Runs the relay and the console on Cloud Run."

  depends_on = [google_project_service.apis]
}

# Reads (and checks the existence of) its own subscriptions only.
resource "google_pubsub_subscription_iam_member" "relay_subscriber" {
  for_each = local.relay_subscribes

  subscription = google_pubsub_subscription.relay[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_service_account.relay.email}"
}

resource "google_pubsub_subscription_iam_member" "relay_viewer" {
  for_each = local.relay_subscribes

  subscription = google_pubsub_subscription.relay[each.key].name
  role         = "roles/pubsub.viewer"
  member       = "serviceAccount:${google_service_account.relay.email}"
}

# Publishes the agents' answers.
resource "google_pubsub_topic_iam_member" "relay_publisher" {
  topic  = google_pubsub_topic.all[local.relay_publishes].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.relay.email}"
}

# ... and announces an agent's change of a conversation (`relay.announces`), and publishes on the
# trigger topic of every workflow whose `published_by` has "relay". (A resource of its own, so
# that the grant above keeps its address.)
resource "google_pubsub_topic_iam_member" "relay_publisher_more" {
  for_each = setsubtract(local.relay_publish_topics, [local.relay_publishes])

  topic  = google_pubsub_topic.all[each.key].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.relay.email}"
}

resource "google_secret_manager_secret_iam_member" "relay" {
  for_each = toset(local.relay_secrets)

  project   = var.project_id
  secret_id = local.secret_ids[each.key]
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.relay.email}"
}

# The Redis URL with its AUTH string (redis.tf), when AUTH is on: the relay alone reads it.
resource "google_secret_manager_secret_iam_member" "relay_redis_url" {
  count = local.relay_redis_auth ? 1 : 0

  project   = var.project_id
  secret_id = google_secret_manager_secret.relay_redis_url[0].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.relay.email}"
}

resource "google_project_iam_member" "relay" {
  for_each = toset(["roles/datastore.user", "roles/monitoring.metricWriter"])

  project = var.project_id
  role    = each.key
  member  = "serviceAccount:${google_service_account.relay.email}"
}

# --- The identity Cloud Build uses to build the functions (instead of the default compute account).
#
# Cloud Functions (2nd gen) copies each function's zip from the sources bucket into its own bucket
# gcf-v2-sources-<project number>-<region> and Cloud Build builds from that copy, as this account:
# a build that may read only our bucket fails with "Access to bucket gcf-v2-sources-... denied.
# You must grant Storage Object Viewer permission" (google provider issue #20571; the provider's
# own example grants project-wide roles/storage.objectAdmin and waits 60 s). Google documents the
# build account's roles as roles/logging.logWriter, roles/artifactregistry.writer and
# roles/storage.objectAdmin (Cloud Run's page now bundles them as roles/run.builder). Each is
# granted below as narrowly as the build still works, and the functions wait for them to settle.

resource "google_service_account" "build" {
  account_id   = "td-build"
  display_name = "teledesk functions build"
  description  = "Builds the functions' images from the source zips."

  depends_on = [google_project_service.apis]
}

# roles/logging.logWriter: the build writes its log to Cloud Logging (a build that cannot fails).
# roles/artifactregistry.writer: the build pushes the function's image, and its buildpacks cache,
# to the gcf-artifacts repository, which Cloud Functions creates itself at the first deploy (so
# it cannot be granted on the repository beforehand).
resource "google_project_iam_member" "build" {
  for_each = toset(["roles/logging.logWriter", "roles/artifactregistry.writer"])

  project = var.project_id
  role    = each.key
  member  = "serviceAccount:${google_service_account.build.email}"
}

# Reading the source copy: Storage Object Viewer, which the build's error asks for, on the one
# bucket it reads (an IAM condition on the bucket's name), instead of Object Admin on every bucket
# of the project (the documented role, which could also read agents' uploads and the Terraform
# state, and delete them). The bucket is Google's, created at the first deploy: it cannot be
# granted on directly before it exists.
resource "google_project_iam_member" "build_reads_gcf_sources" {
  project = var.project_id
  role    = "roles/storage.objectViewer"
  member  = "serviceAccount:${google_service_account.build.email}"

  condition {
    title       = "teledesk-gcf-v2-sources"
    description = "Only the bucket Cloud Functions copies the function sources into, which the builds read."
    expression  = "resource.name == \"projects/_/buckets/${local.gcf_sources_bucket}\" || resource.name.startsWith(\"projects/_/buckets/${local.gcf_sources_bucket}/\")"
  }
}

# ... and the zips as Terraform uploaded them, read only (storage_source names this bucket).
resource "google_storage_bucket_iam_member" "build_reads_sources" {
  bucket = local.source_bucket
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.build.email}"
}

locals {
  # Where Cloud Functions (2nd gen) keeps the copies it builds from.
  gcf_sources_bucket = "gcf-v2-sources-${data.google_project.this.number}-${var.region}"
}

# --- The console's identity: it serves static files and calls nothing, so it is granted nothing
# (without it, Cloud Run would run the console as the default compute account, an Editor).

resource "google_service_account" "console" {
  count = local.lb ? 1 : 0

  account_id   = "td-console"
  display_name = "teledesk console"
  description  = "Runs the console's static web server on Cloud Run; holds no role."

  depends_on = [google_project_service.apis]
}

# --- Customer-managed keys (kms_key_name): the service agents that encrypt for us may use the key.

locals {
  cmek_agents = merge(
    local.cmek ? {
      pubsub  = "serviceAccount:${google_project_service_identity.pubsub.email}"
      storage = "serviceAccount:${data.google_storage_project_service_account.gcs[0].email_address}"
    } : {},
    { for agent in google_project_service_identity.redis : "redis" => "serviceAccount:${agent.email}" },
  )
}

# Memorystore's service agent, made before its grant on the key (it may not exist yet on a fresh
# project); only when Redis is on and encrypted with the key.
resource "google_project_service_identity" "redis" {
  count    = local.cmek && local.relay_redis ? 1 : 0
  provider = google-beta

  project = var.project_id
  service = "redis.googleapis.com"

  depends_on = [google_project_service.apis]
}

data "google_storage_project_service_account" "gcs" {
  count = local.cmek ? 1 : 0

  project = var.project_id
}

resource "google_kms_crypto_key_iam_member" "cmek" {
  for_each = local.cmek_agents

  crypto_key_id = var.kms_key_name
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = each.value

  depends_on = [google_project_service.apis]
}

# --- Waiting for grants to settle. A new IAM grant takes a while (usually under a minute, at
# times a few) before every Google service honours it; what uses a grant in the same apply can
# otherwise fail on a fresh project (a build refused the source, a secret refused at start, a push
# answered 403 until the retry policy gives up). Each wait runs once, at create, and again when
# its triggers change (a new step brings new grants).

# The build account's rights, before any function is built.
resource "time_sleep" "build_grants" {
  create_duration = "${var.iam_propagation_seconds}s"

  depends_on = [
    google_project_iam_member.build,
    google_project_iam_member.build_reads_gcf_sources,
    google_storage_bucket_iam_member.build_reads_sources,
  ]
}

# What the services read as they start: the functions' and the relay's secret accessors (a revision
# whose secret cannot be read does not start), the relay's subscriptions (its pull loops, which its
# health check reports on).
resource "time_sleep" "runtime_grants" {
  create_duration = "${var.iam_propagation_seconds}s"

  triggers = {
    function_secrets = join(",", sort(keys(local.function_secret_grants)))
    relay            = join(",", sort(concat(local.relay_secrets, tolist(local.relay_subscribes))))
  }

  depends_on = [
    google_secret_manager_secret_iam_member.fn,
    google_secret_manager_secret_iam_member.relay,
    google_secret_manager_secret_iam_member.relay_redis_url,
    google_pubsub_subscription_iam_member.relay_subscriber,
    google_pubsub_subscription_iam_member.relay_viewer,
  ]
}

# Who may call whom, before anything pushes: the push invoker on the event steps and the Pub/Sub
# service agent signing its tokens (before the push subscriptions), the agent's right to publish
# dead letters, each workflow's invoker rights on its steps, its trigger's account and the agent
# signing for it (before the Eventarc triggers).
resource "time_sleep" "invoker_grants" {
  create_duration = "${var.iam_propagation_seconds}s"

  triggers = {
    push_invokers     = join(",", sort(keys(local.event_steps)))
    workflow_invokers = join(",", sort(keys(local.workflow_step_invokers)))
  }

  depends_on = [
    google_cloud_run_v2_service_iam_member.push_invoker,
    google_service_account_iam_member.pubsub_mints_push_tokens,
    google_pubsub_topic_iam_member.dead_letter_publisher,
    google_cloud_run_v2_service_iam_member.workflow_invoker,
    google_project_iam_member.workflow_log_writer,
    google_project_iam_member.trigger_workflows_invoker,
    google_service_account_iam_member.pubsub_mints_trigger_tokens,
  ]
}

# The service agents' use of the key, before the topics, buckets and Redis instance it encrypts.
resource "time_sleep" "kms_grants" {
  count = local.cmek ? 1 : 0

  create_duration = "${var.iam_propagation_seconds}s"

  depends_on = [google_kms_crypto_key_iam_member.cmek]
}
