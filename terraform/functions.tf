# One Cloud Function (2nd gen) per manifest entry, built from the zip that
# terraform/package_functions.py made for it (main.py = the step's module, the teledesk
# package, pipeline.yaml, requirements.txt).

resource "google_storage_bucket" "sources" {
  count = var.functions_source_bucket == "" ? 1 : 0

  name                        = "${var.project_id}-teledesk-sources"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = !var.deletion_protection

  # Who read or wrote the code that runs, in the logs bucket (access_logs.tf).
  logging {
    log_bucket        = google_storage_bucket.logs.name
    log_object_prefix = "sources/"
  }

  # A zip overwritten or deleted by mistake can be restored; earlier versions go after 30 days.
  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 30
    }
    action {
      type = "Delete"
    }
  }

  dynamic "encryption" {
    for_each = local.cmek ? [var.kms_key_name] : []
    content {
      default_kms_key_name = encryption.value
    }
  }

  depends_on = [google_project_service.apis, time_sleep.kms_grants]
}

locals {
  source_bucket = var.functions_source_bucket != "" ? var.functions_source_bucket : google_storage_bucket.sources[0].name
}

# The settings of a conversation's lifecycle and satisfaction question (the contract's
# DESK_SLA_FIRST_RESPONSE_S, DESK_PENDING_RESOLVE_S and DESK_CSAT), for every function and the
# relay: each part reads the ones it acts on.
locals {
  conversation_settings = {
    DESK_SLA_FIRST_RESPONSE_S = tostring(var.desk_sla_first_response_s)
    DESK_PENDING_RESOLVE_S    = tostring(var.desk_pending_resolve_s)
    DESK_CSAT                 = var.desk_csat
  }
}

# How answers reach Telegram once (DESK_SEND_LEASE_S, DESK_OUTBOX_SWEEP_S; docs/reliability.md):
# the sending step holds a lease on each part it sends, and the relay's outbox sweeper reads the same
# lease to tell a sender that died from one still at work, so both get the same values.
locals {
  delivery_settings = {
    DESK_SEND_LEASE_S   = tostring(var.desk_send_lease_s)
    DESK_OUTBOX_SWEEP_S = tostring(var.desk_outbox_sweep_s)
  }
}

# The staff forum (docs/telegram.md): the chat whose messages are staff messages, and the note prefix.
locals {
  staff_settings = {
    DESK_STAFF_CHAT_ID     = var.desk_staff_chat_id
    DESK_STAFF_NOTE_PREFIX = var.desk_staff_note_prefix
  }
}

# Each function's environment: the conversation and delivery settings, then function_env (an entry of the same
# name wins), then what Terraform sets, which wins over both.
locals {
  function_environment = {
    for name, fn in local.functions : name => merge(
      local.conversation_settings,
      local.delivery_settings,
      local.staff_settings,
      var.function_env,
      {
        GOOGLE_CLOUD_PROJECT = var.project_id
        TELEGRAM_API_BASE    = var.telegram_api_base
        # Set by the platform anyway; declared so that plans show no perpetual diff.
        LOG_EXECUTION_ID = "true"
        # functions-framework serves with gunicorn threads (4 per vCPU unless told): one per push.
        THREADS = tostring(var.function_concurrency)
      },
      # A function that writes metric series writes them to Cloud Monitoring.
      { for key, value in { DESK_METRICS = "cloud" } : key => value if fn.writes_metrics },
      # A function that reads agents' uploads finds them in the uploads bucket (uploads.tf).
      { for key, value in { DESK_BLOB_BUCKET = local.uploads_bucket } : key => value if fn.reads_uploads },
    )
  }
}

# The object name carries the zip's MD5: a changed source is a new object, and the function
# is rebuilt; an unchanged one (package_functions.py writes reproducible zips) changes nothing.
resource "google_storage_bucket_object" "source" {
  for_each = local.functions

  bucket = local.source_bucket
  name = (
    fileexists(local.function_zips[each.key])
    ? "${var.functions_source_prefix}${each.key}-${filemd5(local.function_zips[each.key])}.zip"
    : "${var.functions_source_prefix}${each.key}-missing.zip"
  )
  source       = local.function_zips[each.key]
  content_type = "application/zip"

  lifecycle {
    precondition {
      condition     = fileexists(local.function_zips[each.key])
      error_message = "No ${local.function_zips[each.key]}: run `python terraform/package_functions.py` first."
    }
  }
}

resource "google_cloudfunctions2_function" "fn" {
  # checkov:skip=CKV_GCP_124: only the HTTP entry point (Telegram's webhook) takes ALLOW_ALL, because Telegram calls it from the internet without Google credentials (it checks the webhook's secret token); event steps and workflow steps are ALLOW_INTERNAL_ONLY. One resource makes both, so checkov sees a conditional.
  for_each = local.functions

  name        = each.key
  location    = var.region
  description = "teledesk ${each.value.kind} function from ${each.value.source}"

  build_config {
    runtime         = var.function_runtime
    entry_point     = each.value.entry_point
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = local.source_bucket
        object = google_storage_bucket_object.source[each.key].name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.fn[each.key].email
    available_memory                 = var.function_memory
    available_cpu                    = var.function_cpu
    max_instance_request_concurrency = var.function_concurrency
    timeout_seconds                  = each.value.timeout
    min_instance_count               = 0
    max_instance_count               = var.function_max_instances
    all_traffic_on_latest_revision   = true
    # HTTP entry points take Telegram's calls from the internet; event steps take only Pub/Sub's,
    # and a workflow's steps only their workflow's (both internal traffic at the run.app URL).
    ingress_settings = each.value.kind == "http" ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"

    environment_variables = local.function_environment[each.key]

    dynamic "secret_environment_variables" {
      for_each = toset(each.value.secrets)
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = local.secret_ids[secret_environment_variables.key]
        version    = local.secret_versions[secret_environment_variables.key]
      }
    }
  }

  labels = {
    teledesk-function = each.key
    teledesk-kind     = each.value.kind
  }

  # After the build account's rights and the secret accessors have settled (iam.tf).
  depends_on = [
    google_project_service.apis,
    time_sleep.build_grants,
    time_sleep.runtime_grants,
  ]
}
