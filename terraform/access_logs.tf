# Access logs of the buckets that hold what matters: the functions' sources (the code that runs)
# and agents' uploads. Cloud Storage writes an hourly usage log object per bucket here; they are
# deleted after access_logs_retention_days.

resource "google_storage_bucket" "logs" {
  # checkov:skip=CKV_GCP_62: this is the bucket the access logs go to; logging it into itself is what CKV_GCP_63 forbids, and into another bucket would only move the question there.
  name                        = "${var.project_id}-teledesk-logs"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = !var.deletion_protection

  # A log object deleted or overwritten stays recoverable until the noncurrent rule below.
  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      age = var.access_logs_retention_days
    }
    action {
      type = "Delete"
    }
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

# Cloud Storage delivers usage logs as this Google group, which must be able to create objects in
# the logs bucket (uniform bucket-level access: an IAM grant, no ACL).
resource "google_storage_bucket_iam_member" "logs_writer" {
  bucket = google_storage_bucket.logs.name
  role   = "roles/storage.objectCreator"
  member = "group:cloud-storage-analytics@google.com"
}
