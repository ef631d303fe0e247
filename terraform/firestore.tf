# Conversation state. Three collections keep records only for a while: `updates` dedupes Telegram's
# webhook retries, `metrics_seen` is the metric writers' ledger of what they already counted (so a
# redelivery counts once), `sessions` the agents' sessions of a relay without Redis. Their
# documents carry `expires_at`, and a TTL policy deletes each document once that time has passed.

locals {
  dedupe_collection = "updates"
  # collection => its expiry timestamp field
  ttl_fields = {
    (local.dedupe_collection) = "expires_at"
    metrics_seen              = "expires_at"
    sessions                  = "expires_at"
  }
}

resource "google_firestore_database" "desk" {
  project     = var.project_id
  name        = "(default)"
  location_id = coalesce(var.firestore_location, var.region)
  type        = "FIRESTORE_NATIVE"

  delete_protection_state = var.deletion_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  deletion_policy         = var.deletion_protection ? "ABANDON" : "DELETE"

  # Point-in-time recovery: any minute of the last 7 days can be read back (a version of every
  # document as it was then), to undo a bad write or a bug's damage.
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"

  depends_on = [google_project_service.apis]
}

# A daily backup, kept firestore_backup_retention_days, from which a new database can be restored
# (for what is older than point-in-time recovery reaches, or a deleted database: backups outlive
# the database they were taken of).
resource "google_firestore_backup_schedule" "daily" {
  project   = var.project_id
  database  = google_firestore_database.desk.name
  retention = "${var.firestore_backup_retention_days * 86400}s"

  daily_recurrence {}
}

resource "google_firestore_field" "ttl" {
  for_each = local.ttl_fields

  project    = var.project_id
  database   = google_firestore_database.desk.name
  collection = each.key
  field      = each.value

  ttl_config {}

  # An expiry timestamp is never queried: no single-field indexes on it.
  index_config {}
}

# The dedupe TTL had a resource of its own before other collections had one.
moved {
  from = google_firestore_field.dedupe_ttl
  to   = google_firestore_field.ttl["updates"]
}

# When the webhook noted an update is never queried either, and an always-increasing indexed
# value is a write hotspot at a busy desk's rate (docs/scaling.md): no indexes on it.
resource "google_firestore_field" "dedupe_received_at" {
  project    = var.project_id
  database   = google_firestore_database.desk.name
  collection = local.dedupe_collection
  field      = "received_at"

  index_config {}
}

# The ledger of counted events is queried on a marker's commit time (`counted_at`, kept indexed)
# and its hours on `hour`; no other field of it is queried. A marker's `at`, `key` and `hour` are
# written once per counted event (an always-increasing `at` is a write hotspot, as `received_at`
# above), and the maps hold one field per series and bucket, an index entry each: no indexes on
# any of them.
resource "google_firestore_field" "metrics_unindexed" {
  for_each = toset([
    "metrics_seen/at", "metrics_seen/key", "metrics_seen/hour",
    "metrics_seen/counters", "metrics_seen/distributions",
    "metrics_hours/counters", "metrics_hours/distributions",
    "metrics_totals/counters", "metrics_totals/distributions",
  ])

  project    = var.project_id
  database   = google_firestore_database.desk.name
  collection = split("/", each.key)[0]
  field      = split("/", each.key)[1]

  index_config {}
}

# The agents' search (realtime/api.py `search`) reads the newest messages of every conversation:
# a collection-group query on `messages` ordered by `stored_at`. Single-field indexes exist per
# collection by default, not per collection group, so this override adds the group's, and keeps
# the per-conversation ones the history pages use.
# The relay's outbox sweeper asks every conversation's messages for answers still unsettled
# (`outbox_since`, set while an answer waits to be sent; realtime/outbox.py): a collection-group
# query, which needs its own single-field index.
resource "google_firestore_field" "messages_outbox_since" {
  project    = var.project_id
  database   = google_firestore_database.desk.name
  collection = "messages"
  field      = "outbox_since"

  index_config {
    indexes {
      order       = "ASCENDING"
      query_scope = "COLLECTION_GROUP"
    }
  }
}

resource "google_firestore_field" "messages_stored_at" {
  project    = var.project_id
  database   = google_firestore_database.desk.name
  collection = "messages"
  field      = "stored_at"

  index_config {
    indexes {
      order       = "ASCENDING"
      query_scope = "COLLECTION"
    }
    indexes {
      order       = "DESCENDING"
      query_scope = "COLLECTION"
    }
    indexes {
      order       = "DESCENDING"
      query_scope = "COLLECTION_GROUP"
    }
  }
}
