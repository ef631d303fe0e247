# The ops dashboard (dashboard.json.tftpl) and the alerts: something was dead-lettered, or a
# subscription is falling behind. Which functions, subscriptions and holds to watch comes from
# the manifest, as regular expressions over their names.

locals {
  function_names_regex     = join("|", sort(keys(local.functions)))
  push_subscriptions_regex = join("|", sort([for step in values(local.event_steps) : step.subscription]))
  holds_regex              = join("|", sort([for step in values(local.event_steps) : step.dead_letter_hold]))
  relay_subscriptions      = [for topic in local.relay_subscribes : "relay-${topic}"]

  # With min 0 instances the relay is stopped while no agent is connected and its subscriptions
  # age on purpose (the console refetches on connect), so they are watched only when it stays up.
  lag_watched_regex = join("|", sort(concat(
    [for step in values(local.event_steps) : step.subscription],
    var.relay_min_instances > 0 ? local.relay_subscriptions : [],
  )))
}

resource "google_monitoring_dashboard" "desk" {
  dashboard_json = templatefile("${path.module}/dashboard.json.tftpl", {
    function_services  = local.function_names_regex
    relay_service      = var.relay_service_name
    push_subscriptions = local.push_subscriptions_regex
    dead_letter_holds  = local.holds_regex
  })

  depends_on = [google_project_service.apis]
}

resource "google_monitoring_notification_channel" "email" {
  count = var.alert_email == "" ? 0 : 1

  display_name = "teledesk on-call"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.apis]
}

resource "google_monitoring_alert_policy" "dead_letters" {
  display_name          = "teledesk: messages dead-lettered"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = google_monitoring_notification_channel.email[*].name

  conditions {
    display_name = "A step gave up on a message (dead-lettered > 0)"
    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/dead_letter_message_count\" AND resource.label.subscription_id = monitoring.regex.full_match(\"${local.push_subscriptions_regex}\")"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.subscription_id"]
      }
      trigger {
        count = 1
      }
    }
  }

  conditions {
    display_name = "Messages are parked in a dead-letter hold (> 0)"
    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.label.subscription_id = monitoring.regex.full_match(\"${local.holds_regex}\")"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = <<-MD
      A pipeline step failed a message ${local.defaults.max_delivery_attempts} times (the manifest's
      default) and Pub/Sub moved it to the step's `<step>-dead-letter` topic. It is kept in the
      `<step>-dead-letter-hold` subscription. Look at it with
      `gcloud pubsub subscriptions pull <step>-dead-letter-hold --limit 10`
      (add `--auto-ack` only once it has been replayed or judged unrecoverable), read the step's
      logs for the cause, fix, then republish the message on the step's input topic. The topics
      keep every message for ${local.retention}, so a whole period can also be replayed with
      `gcloud pubsub subscriptions seek <step>-push --time=...`.
    MD
  }
}

resource "google_monitoring_alert_policy" "backlog_age" {
  display_name          = "teledesk: a subscription is falling behind"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = google_monitoring_notification_channel.email[*].name

  conditions {
    display_name = "Oldest unacked message older than ${var.oldest_unacked_alert_seconds} s"
    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/oldest_unacked_message_age\" AND resource.label.subscription_id = monitoring.regex.full_match(\"${local.lag_watched_regex}\")"
      comparison      = "COMPARISON_GT"
      threshold_value = var.oldest_unacked_alert_seconds
      duration        = "60s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = <<-MD
      Messages wait in a subscription for more than ${var.oldest_unacked_alert_seconds} s: the step
      behind it is failing (every attempt answered with an error, see its logs and the
      dead-letter alert), too slow for its ack deadline, or at its instance limit
      (`function_max_instances`). Agents see customer messages late until it catches up.
    MD
  }
}
