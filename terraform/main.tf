# The pipeline comes from pipeline.yaml, the one file that lists the steps. Nothing in this
# directory names a step or a topic: every step's topics, subscriptions, dead-letter topics,
# function and service account are derived here, so adding a step to the manifest needs no
# Terraform change.

locals {
  manifest  = yamldecode(file("${path.module}/../pipeline.yaml"))
  defaults  = local.manifest.defaults
  retention = local.manifest.message_retention

  # Secret Manager secret behind each environment variable a process reads.
  secret_ids = {
    TELEGRAM_BOT_TOKEN      = var.telegram_bot_token_secret_id
    TELEGRAM_WEBHOOK_SECRET = var.telegram_webhook_secret_secret_id
    DESK_ADMIN_PASSWORD     = var.desk_admin_password_secret_id
    DESK_SESSION_SECRET     = var.desk_session_secret_secret_id
  }

  # Which secrets a function reads unless its manifest entry says otherwise with `secrets: [...]`:
  # an HTTP entry point checks the webhook's secret token; an event step may call the Bot API.
  default_secrets = {
    http  = ["TELEGRAM_WEBHOOK_SECRET"]
    event = ["TELEGRAM_BOT_TOKEN"]
  }

  # HTTP entry points (public), keyed by name.
  http_entries = {
    for entry in try(local.manifest.http, []) : entry.name => {
      name        = entry.name
      kind        = "http"
      source      = entry.source
      entry_point = entry.entry_point
      topic_out   = entry.topic_out
      timeout     = try(entry.timeout_seconds, 60)
      secrets     = tolist(try(entry.secrets, local.default_secrets.http))
    }
  }

  # Event steps, each fed by its push subscription, with the manifest defaults applied.
  event_steps = {
    for step in try(local.manifest.steps, []) : step.name => {
      name                  = step.name
      kind                  = "event"
      source                = step.source
      entry_point           = step.entry_point
      topic_in              = step.topic_in
      topic_out             = step.topic_out
      filter                = try(step.filter, null)
      minimum_backoff       = merge(local.defaults.retry, try(step.retry, {})).minimum_backoff
      maximum_backoff       = merge(local.defaults.retry, try(step.retry, {})).maximum_backoff
      max_delivery_attempts = try(step.max_delivery_attempts, local.defaults.max_delivery_attempts)
      ack_deadline_seconds  = try(step.ack_deadline_seconds, local.defaults.ack_deadline_seconds)
      # Pub/Sub waits ack_deadline_seconds for a push answer: the function may take as long.
      timeout           = try(step.ack_deadline_seconds, local.defaults.ack_deadline_seconds)
      secrets           = tolist(try(step.secrets, local.default_secrets.event))
      subscription      = "${step.name}-push"
      dead_letter_topic = "${step.name}-dead-letter"
      dead_letter_hold  = "${step.name}-dead-letter-hold"
    }
  }

  # Every function, HTTP or event, in one shape.
  functions = {
    for name, fn in merge(local.http_entries, local.event_steps) : name => {
      name        = name
      kind        = fn.kind
      source      = fn.source
      entry_point = fn.entry_point
      topic_out   = fn.topic_out
      timeout     = fn.timeout
      secrets     = fn.secrets
      # What the function publishes on: its topic_out, and an event step its own dead-letter
      # topic too (it parks unreadable messages there itself).
      publishes = compact([fn.topic_out, try(fn.dead_letter_topic, "")])
    }
  }

  # The first HTTP entry point of the manifest receives Telegram's webhook.
  webhook_function = try(local.manifest.http[0].name, null)

  relay_subscribes = toset(try(local.manifest.relay.subscribes, []))
  relay_publishes  = local.manifest.relay.publishes
  relay_secrets    = ["DESK_ADMIN_PASSWORD", "DESK_SESSION_SECRET", "TELEGRAM_BOT_TOKEN"]

  # Every topic: what the functions read and write, the relay's, and the dead-letter topics.
  topics = toset(concat(
    [for fn in values(local.functions) : fn.topic_out],
    [for step in values(local.event_steps) : step.topic_in],
    [for step in values(local.event_steps) : step.dead_letter_topic],
    tolist(local.relay_subscribes),
    [local.relay_publishes],
  ))

  # (function, secret) pairs and (function, topic) pairs, for per-resource IAM.
  function_secret_grants = {
    for pair in flatten([
      for name, fn in local.functions : [
        for env in fn.secrets : { key = "${name}/${env}", function = name, secret_id = local.secret_ids[env] }
      ]
    ]) : pair.key => pair
  }
  function_publish_grants = {
    for pair in flatten([
      for name, fn in local.functions : [
        for topic in fn.publishes : { key = "${name}/${topic}", function = name, topic = topic }
      ]
    ]) : pair.key => pair
  }

  function_zips = {
    for name, fn in local.functions : name => "${coalesce(var.functions_build_dir, "${path.module}/build")}/${name}.zip"
  }

  apis = toset(concat(
    [
      "artifactregistry.googleapis.com",
      "cloudbuild.googleapis.com",
      "cloudfunctions.googleapis.com",
      "cloudresourcemanager.googleapis.com",
      "eventarc.googleapis.com",
      "firestore.googleapis.com",
      "iam.googleapis.com",
      "logging.googleapis.com",
      "monitoring.googleapis.com",
      "pubsub.googleapis.com",
      "run.googleapis.com",
      "secretmanager.googleapis.com",
      "storage.googleapis.com",
      "workflows.googleapis.com",
    ],
    # The relay's VPC (Compute Engine) and Memorystore, only when the relay has Redis.
    var.relay_redis ? ["compute.googleapis.com", "redis.googleapis.com"] : [],
  ))
}

resource "google_project_service" "apis" {
  for_each = local.apis

  project            = var.project_id
  service            = each.key
  disable_on_destroy = false
}

# The Pub/Sub service agent: it mints the push subscriptions' OIDC tokens and moves messages
# that exhausted their delivery attempts to the dead-letter topics.
resource "google_project_service_identity" "pubsub" {
  provider = google-beta

  project = var.project_id
  service = "pubsub.googleapis.com"

  depends_on = [google_project_service.apis]
}
