# The version of each desk secret that the functions and the relay read, pinned instead of
# "latest". A new version (`make rotate-secrets`, or `gcloud secrets versions add`) changes the
# number read here, so the next apply rolls a new revision of exactly the services that read that
# secret and no instance keeps the old value; an apply with no new version changes nothing.
# Only the versions' metadata is read (fetch_secret_data = false): no secret value reaches the
# plan or the state.
data "google_secret_manager_secret_version" "desk" {
  for_each = local.secret_ids

  project           = var.project_id
  secret            = each.value
  fetch_secret_data = false
}

locals {
  # Environment variable (TELEGRAM_BOT_TOKEN, ...) => the version its services read, e.g. "3".
  secret_versions = { for env, version in data.google_secret_manager_secret_version.desk : env => version.version }
}
