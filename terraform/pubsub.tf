# Topics, push subscriptions with retry and dead-letter policies, the holds that keep what was
# dead-lettered, and the relay's pull subscriptions: all derived from pipeline.yaml.

resource "google_pubsub_topic" "all" {
  # checkov:skip=CKV_GCP_83: customer-managed keys are opt-in (kms_key_name); by default (kms_key_name = "") the topics use Google-managed encryption, which checkov would not see: it passes the conditional below as if a key were always set.
  for_each = local.topics

  name = each.key
  # Kept for the manifest's retention (7 days) even once acknowledged, so it can be replayed.
  message_retention_duration = local.retention
  # kms_key_name: the Pub/Sub service agent encrypts with it (iam.tf grants it the key's use).
  kms_key_name = local.cmek ? var.kms_key_name : null

  depends_on = [google_project_service.apis, time_sleep.kms_grants]
}

# One push subscription per (event step, topic it reads), delivering to the step's function with
# an OIDC token.
resource "google_pubsub_subscription" "push" {
  for_each = local.push_subscriptions

  name                       = each.value.subscription
  topic                      = google_pubsub_topic.all[each.value.topic].id
  filter                     = each.value.filter
  ack_deadline_seconds       = each.value.ack_deadline_seconds
  message_retention_duration = local.retention
  enable_message_ordering    = true

  push_config {
    # The run.app URL: Pub/Sub counts as internal traffic there, so ALLOW_INTERNAL_ONLY admits it.
    push_endpoint = google_cloudfunctions2_function.fn[each.value.step].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.push_invoker.email
    }
  }

  retry_policy {
    minimum_backoff = each.value.minimum_backoff
    maximum_backoff = each.value.maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.all[each.value.dead_letter_topic].id
    max_delivery_attempts = each.value.max_delivery_attempts
  }

  expiration_policy {
    ttl = "" # never expires, even when a step is idle for weeks
  }

  lifecycle {
    precondition {
      condition     = each.value.max_delivery_attempts >= 5 && each.value.max_delivery_attempts <= 100
      error_message = "max_delivery_attempts of ${each.value.step} must be between 5 and 100 (a Pub/Sub limit)."
    }
    precondition {
      condition     = each.value.ack_deadline_seconds >= 10 && each.value.ack_deadline_seconds <= 600
      error_message = "ack_deadline_seconds of ${each.value.step} must be between 10 and 600 (a Pub/Sub limit)."
    }
  }

  # Pushes start at once: after the invoker's rights on the steps, the Pub/Sub service agent's on
  # the invoker's tokens and on the dead-letter topics have settled (iam.tf).
  depends_on = [time_sleep.invoker_grants]
}

# A pull subscription on each dead-letter topic: nobody consumes it, so what a step gave up on
# is kept (for the retention period) until someone looks at it and replays it.
resource "google_pubsub_subscription" "dead_letter_hold" {
  for_each = local.event_steps

  name                       = each.value.dead_letter_hold
  topic                      = google_pubsub_topic.all[each.value.dead_letter_topic].id
  ack_deadline_seconds       = 600
  message_retention_duration = local.retention

  expiration_policy {
    ttl = ""
  }
}

# The relay's pull subscriptions, one per topic it relays to the consoles.
resource "google_pubsub_subscription" "relay" {
  for_each = local.relay_subscriptions

  name                       = each.value
  topic                      = google_pubsub_topic.all[each.key].id
  ack_deadline_seconds       = try(local.manifest.relay.ack_deadline_seconds, local.defaults.ack_deadline_seconds)
  message_retention_duration = local.retention
  enable_message_ordering    = true

  retry_policy {
    minimum_backoff = local.defaults.retry.minimum_backoff
    maximum_backoff = local.defaults.retry.maximum_backoff
  }

  expiration_policy {
    ttl = ""
  }
}

# What the Pub/Sub service agent needs for dead-lettering: publish on each dead-letter topic,
# and subscriber on each source subscription (to ack what it forwarded).
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.event_steps

  topic  = google_pubsub_topic.all[each.value.dead_letter_topic].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each = local.push_subscriptions

  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_project_service_identity.pubsub.email}"
}
