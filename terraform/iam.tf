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

resource "google_service_account" "build" {
  account_id   = "td-build"
  display_name = "teledesk functions build"
  description  = "Builds the functions' images from the source zips."

  depends_on = [google_project_service.apis]
}

resource "google_project_iam_member" "build" {
  for_each = toset(["roles/logging.logWriter", "roles/artifactregistry.writer"])

  project = var.project_id
  role    = each.key
  member  = "serviceAccount:${google_service_account.build.email}"
}

resource "google_storage_bucket_iam_member" "build_reads_sources" {
  bucket = local.source_bucket
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.build.email}"
}
