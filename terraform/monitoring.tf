# The ops dashboard (dashboard.json.tftpl), the desk's custom metric descriptors, and the alerts:
# something was dead-lettered or needs reprocessing, a subscription is falling behind, answers fail
# to reach Telegram, the webhook answers errors, a conversation passed its SLA, the relay stopped
# pulling. Which functions, subscriptions and holds to watch comes from the manifest, as regular
# expressions over their names.

locals {
  function_names_regex      = join("|", sort(keys(local.functions)))
  push_subscription_names   = sort([for sub in values(local.push_subscriptions) : sub.subscription])
  push_subscriptions_regex  = join("|", local.push_subscription_names)
  holds_regex               = join("|", sort([for step in values(local.event_steps) : step.dead_letter_hold]))
  relay_subscriptions_regex = join("|", sort(values(local.relay_subscriptions)))

  # With min 0 instances the relay is stopped while no agent is connected and its subscriptions
  # age on purpose (the console refetches on connect), so they are watched only when it stays up.
  lag_watched_regex = join("|", sort(concat(
    local.push_subscription_names,
    var.relay_min_instances > 0 ? values(local.relay_subscriptions) : [],
  )))

  # The notification channels given by id ("projects/P/notificationChannels/ID", or the ID alone).
  given_notification_channels = [
    for channel in var.notification_channels :
    startswith(channel, "projects/") ? channel : "projects/${var.project_id}/notificationChannels/${channel}"
  ]

  # What the log-based alert looks for: a part parked a message it could not handle (Cloud
  # Logging's structured JSON: `message` is jsonPayload.message).
  needs_reprocessing_filter = "severity = CRITICAL AND jsonPayload.message =~ \"^needs reprocessing:\""

  # The relay's pull loops ask their subscriptions again as soon as a pull returns, messages or
  # not: a subscription with no pull request for a while has no relay pulling it.
  relay_pulls_filter = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/pull_request_count\" AND resource.label.subscription_id = monitoring.regex.full_match(\"${local.relay_subscriptions_regex}\")"

  # The webhook's answers that are errors (4xx and 5xx), from the request log of the Cloud Run
  # service that a 2nd gen function runs as; counted by a log-based metric of that name.
  webhook_errors_metric = "teledesk_webhook_errors"
  webhook_errors_filter = local.webhook_function == null ? null : join(" AND ", [
    "resource.type = \"cloud_run_revision\"",
    "resource.labels.service_name = \"${local.webhook_function}\"",
    "log_id(\"run.googleapis.com/requests\")",
    "httpRequest.status >= 400",
  ])
}

# Alerts on how many things happened within alert_window_seconds, one policy each: answers that
# could not be sent (a customer blocking the bot is theirs to do, not a fault: left out), the
# webhook's error answers, conversations whose first-response SLA passed.
locals {
  counted_alerts = {
    for name, alert in {
      delivery_failures = {
        display_name  = "teledesk: answers fail to reach Telegram"
        severity      = "ERROR"
        condition     = "More than ${var.delivery_failures_alert_threshold} failed sends in ${var.alert_window_seconds} s"
        filter        = "resource.type = \"global\" AND metric.type = \"custom.googleapis.com/teledesk/deliveries\" AND metric.label.outcome = \"failed\" AND metric.label.cause != \"blocked\""
        threshold     = var.delivery_failures_alert_threshold
        documentation = <<-MD
          Answers that agents or the bot sent did not reach Telegram. The dashboard's chart of failed
          sends by cause says why: `token_refused` (the bot token in Secret Manager is wrong or
          revoked), `too_many_requests` (Telegram's rate limit, still there after the retries),
          `timeout` or `unavailable` (Telegram or the network), `bad_request` (Telegram refused the
          request as it was; see the sending step's logs), `file_gone` (an agent's upload is no
          longer stored), `maybe_sent` (a send went out and its answer never came, or its sender
          died mid-send: it may have reached the customer and is never resent by itself; many of
          them mean Telegram hangs or the sending step is being killed, see its logs). The console
          shows each failed answer with its reason; once the cause is fixed the agent sends it
          again (a `maybe_sent` one after checking the chat). Answers the sending step gave up on entirely are dead-lettered
          and replayed with `python -m teledesk.replay dead-letters --step <step>`.
        MD
      }
      webhook_errors = {
        display_name  = "teledesk: the webhook answers errors"
        severity      = "ERROR"
        condition     = "More than ${var.webhook_errors_alert_threshold} 4xx/5xx answers in ${var.alert_window_seconds} s"
        filter        = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${local.webhook_errors_metric}\""
        threshold     = var.webhook_errors_alert_threshold
        documentation = <<-MD
          Telegram's webhook calls (or someone else's) are answered with errors. 401/403: the secret
          token Telegram sends is not the one the webhook reads: register the webhook again
          (`make register-webhook`), which gives Telegram that version of the secret. 5xx:
          the webhook failed; read its logs. Telegram retries an update it got an error for, so
          nothing is lost while it is fixed; `getWebhookInfo` shows its last error.
        MD
      }
      sla_breaches = {
        display_name  = "teledesk: conversations passed their first-response SLA"
        severity      = "WARNING"
        condition     = "A conversation's first-response SLA passed in the last ${var.alert_window_seconds} s"
        filter        = "resource.type = \"global\" AND metric.type = \"custom.googleapis.com/teledesk/sla_breaches\""
        threshold     = 0
        documentation = <<-MD
          A customer waited longer than the first-response SLA (DESK_SLA_FIRST_RESPONSE_S) with no
          agent answer. Open the console: the conversation is marked, and the oldest unanswered ones
          come first. Many at once means too few agents online, or customer messages not reaching the
          console (see the backlog and relay alerts).
        MD
      }
    } : name => alert if name != "webhook_errors" || local.webhook_function != null
  }
}

# Where every alert goes: the e-mail channel made from alert_email, and the channels given.
locals {
  notification_channels = concat(google_monitoring_notification_channel.email[*].name, local.given_notification_channels)
}

# The desk's custom metric series (teledesk/metrics/catalog.py, as package_functions.py wrote
# them down). The metric-writing functions create them too, when they first write; created here,
# they exist before the dashboard and the alerts that read them (Cloud Monitoring refuses an
# alert policy on a metric it does not know).
resource "google_monitoring_metric_descriptor" "desk" {
  for_each = local.custom_metrics

  type         = each.value.type
  metric_kind  = each.value.metric_kind
  value_type   = each.value.value_type
  unit         = each.value.unit
  description  = each.value.description
  display_name = each.value.display_name # the catalog's, as the cloud exporter writes it

  dynamic "labels" {
    for_each = each.value.labels
    content {
      key         = labels.key
      value_type  = "STRING"
      description = labels.value
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_monitoring_dashboard" "desk" {
  dashboard_json = templatefile("${path.module}/dashboard.json.tftpl", {
    function_services  = local.function_names_regex
    relay_service      = var.relay_service_name
    push_subscriptions = local.push_subscriptions_regex
    dead_letter_holds  = local.holds_regex
  })

  lifecycle {
    precondition {
      condition     = length(local.custom_metrics) > 0
      error_message = "No ${local.metric_descriptors_file}: run `python terraform/package_functions.py` first."
    }
  }

  depends_on = [google_project_service.apis, google_monitoring_metric_descriptor.desk]
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
  notification_channels = local.notification_channels

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
      `<step>-dead-letter-hold` subscription. Read the step's logs for the cause, fix it, then
      move what was parked back to the step's input with
      `python -m teledesk.replay dead-letters --step <step>` (every step is idempotent: replaying
      twice stores and sends nothing twice). The topics keep every message for ${local.retention},
      so a whole period of a step's input can be replayed too (`python -m teledesk.replay --help`).
    MD
  }
}

resource "google_monitoring_alert_policy" "backlog_age" {
  display_name          = "teledesk: a subscription is falling behind"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.notification_channels

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

resource "google_logging_metric" "webhook_errors" {
  count = local.webhook_function == null ? 0 : 1

  name        = local.webhook_errors_metric
  description = "The webhook's answers with an HTTP status of 400 or more, by status."
  filter      = local.webhook_errors_filter

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key         = "status"
      value_type  = "STRING"
      description = "The HTTP status the webhook answered."
    }
  }

  label_extractors = {
    status = "EXTRACT(httpRequest.status)"
  }

  depends_on = [google_project_service.apis]
}

resource "google_monitoring_alert_policy" "counted" {
  for_each = local.counted_alerts

  display_name          = each.value.display_name
  combiner              = "OR"
  severity              = each.value.severity
  notification_channels = local.notification_channels

  conditions {
    display_name = each.value.condition
    condition_threshold {
      filter          = each.value.filter
      comparison      = "COMPARISON_GT"
      threshold_value = each.value.threshold
      duration        = "0s"
      aggregations {
        alignment_period     = "${var.alert_window_seconds}s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
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
    content   = each.value.documentation
  }

  # Cloud Monitoring refuses a policy on a metric it does not know yet.
  depends_on = [google_monitoring_metric_descriptor.desk, google_logging_metric.webhook_errors]
}

# A relay kept up (relay_min_instances > 0) that pulls no more: its pull loops died or it cannot
# reach Pub/Sub, and agents see no new customer message. With 0 minimum instances a relay stops on
# purpose while no agent is connected, so there is nothing to watch.
resource "google_monitoring_alert_policy" "relay_not_pulling" {
  count = var.relay_min_instances > 0 && length(local.relay_subscriptions) > 0 ? 1 : 0

  display_name          = "teledesk: the relay stopped pulling"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "No pull request on a relay subscription for ${var.relay_not_pulling_alert_seconds} s"
    condition_absent {
      filter   = local.relay_pulls_filter
      duration = "${var.relay_not_pulling_alert_seconds}s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.subscription_id"]
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
      No relay pulls from one of its subscriptions: customer messages wait in Pub/Sub and agents do
      not see them. Look at the relay service (`${var.relay_service_name}`) in Cloud Run: its
      instances, their `/api/health` (which names the pull loop that failed) and logs. A restart
      (deploying a new revision) starts the loops again; nothing is lost, the subscriptions keep
      the messages and the consoles refetch when they reconnect.
    MD
  }
}

# A part logged, at CRITICAL, that a message needs reprocessing: it was dead-lettered and will not
# be handled until it is replayed.
resource "google_monitoring_alert_policy" "needs_reprocessing" {
  display_name          = "teledesk: a message needs reprocessing"
  combiner              = "OR"
  severity              = "CRITICAL"
  notification_channels = local.notification_channels

  conditions {
    display_name = "A CRITICAL log line \"needs reprocessing: ...\""
    condition_matched_log {
      filter = local.needs_reprocessing_filter
      label_extractors = {
        service = "EXTRACT(resource.labels.service_name)"
      }
    }
  }

  alert_strategy {
    # At most one notification per period, however many lines match.
    notification_rate_limit {
      period = "${var.log_alert_notification_period_seconds}s"
    }
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = <<-MD
      A message could not be handled and was parked on a step's dead-letter topic; the log line
      says which step and which message (open it in Logs Explorer from the incident). Fix the
      cause (the lines before it, with the same trace id, tell what failed), then replay it:
      `python -m teledesk.replay dead-letters --step <step>`. Replaying is idempotent: nothing is
      stored or sent twice.
    MD
  }
}

# --- Is the desk up? An uptime check asks the relay's /api/health (200 once its pull loops run,
# 503 when one died) from several regions, through the load balancer's domain when there is one
# (so the certificate, the routing and the relay are checked together), else at the relay's URL.

locals {
  uptime_path = "/api/health"
}

locals {
  uptime_host = local.lb ? var.domain : trimprefix(google_cloud_run_v2_service.relay.uri, "https://")
}

resource "google_monitoring_uptime_check_config" "relay_health" {
  display_name = "teledesk: relay ${local.uptime_path}"
  period       = "${var.uptime_check_period_seconds}s"
  # Longer than the health check may spend asking Telegram about the webhook (5 s).
  timeout = "10s"

  http_check {
    path         = local.uptime_path
    port         = 443
    use_ssl      = true
    validate_ssl = true

    accepted_response_status_codes {
      status_class = "STATUS_CLASS_2XX"
    }
  }

  monitored_resource {
    type = "uptime_url"
    labels = {
      project_id = var.project_id
      host       = local.uptime_host
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_monitoring_alert_policy" "relay_down" {
  display_name          = "teledesk: the relay's health check fails"
  combiner              = "OR"
  severity              = "CRITICAL"
  notification_channels = local.notification_channels

  conditions {
    display_name = "${local.uptime_path} fails from more than one region"
    condition_threshold {
      filter          = "resource.type = \"uptime_url\" AND metric.type = \"monitoring.googleapis.com/uptime_check/check_passed\" AND metric.label.check_id = \"${google_monitoring_uptime_check_config.relay_health.uptime_check_id}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 1
      duration        = "${var.uptime_check_period_seconds * 2}s"
      aggregations {
        alignment_period     = "${var.uptime_check_period_seconds * 2}s"
        per_series_aligner   = "ALIGN_NEXT_OLDER"
        cross_series_reducer = "REDUCE_COUNT_FALSE"
        group_by_fields      = ["resource.label.*"]
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
      The relay's `${local.uptime_path}` at `https://${local.uptime_host}` does not answer 200 from
      several regions: agents cannot reach the console, or it shows nothing new. A 503 names the
      pull loop that failed (Cloud Run restarts such an instance by itself); no answer at all means
      the relay does not start (its logs in Cloud Run, service `${var.relay_service_name}`), or,
      with the load balancer, that the certificate is not active yet (it waits for the domain's DNS
      A record to point at the `load_balancer_ip` output) or the load balancer cannot reach the
      service. Messages wait in Pub/Sub meanwhile; the consoles refetch when they reconnect.
    MD
  }
}

# --- Where alerts go. Without an e-mail or a channel every policy above still opens incidents,
# but tells nobody: plan and apply warn loudly (a check block cannot stop an apply, and refusing
# to deploy a desk for want of an on-call address would be worse), and the alerts_go_to output
# says NOWHERE.

locals {
  alerts_go_to = (
    var.alert_email == "" && length(var.notification_channels) == 0
    ? "NOWHERE: no alert_email and no notification_channels; incidents open in Cloud Monitoring but notify nobody. Set alert_email (or notification_channels) and apply again."
    : join(", ", concat(var.alert_email == "" ? [] : ["e-mail to ${var.alert_email}"], local.given_notification_channels))
  )
}

check "alerts_reach_someone" {
  assert {
    condition     = var.alert_email != "" || length(var.notification_channels) > 0
    error_message = "ALERTS GO NOWHERE: neither alert_email nor notification_channels is set, so the desk's alerts (dead letters, failed sends, the relay down ...) open incidents that notify nobody. Set alert_email = \"oncall@example.org\" (or notification_channels) and apply again."
  }
}
