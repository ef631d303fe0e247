# Agents' uploads wait here until the pipeline has sent them to Telegram (teledesk.blobs,
# DESK_BLOB_BUCKET); Telegram keeps the file from then on, so an upload is deleted
# `uploads_retention_days` after it was written. The relay writes them; the functions whose
# manifest entry says `reads_uploads: true` read them. Nothing else may.

resource "google_storage_bucket" "uploads" {
  name                        = local.uploads_bucket
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = !var.deletion_protection

  lifecycle_rule {
    condition {
      age = var.uploads_retention_days
    }
    action {
      type = "Delete"
    }
  }

  # Who read or wrote agents' files, in the logs bucket (access_logs.tf).
  logging {
    log_bucket        = google_storage_bucket.logs.name
    log_object_prefix = "uploads/"
  }

  # An upload overwritten or deleted by mistake can be restored for a day; an upload deleted by
  # the rule above (or overwritten) is gone a day later too, so no file outlives its retention by
  # more than a day.
  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 1
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

resource "google_storage_bucket_iam_member" "uploads_writer" {
  bucket = google_storage_bucket.uploads.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.relay.email}"
}

resource "google_storage_bucket_iam_member" "uploads_reader" {
  for_each = local.upload_readers

  bucket = google_storage_bucket.uploads.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.fn[each.key].email}"
}
