variable "project_id" {
  description = "The Google Cloud project that runs the desk."
  type        = string
}

variable "region" {
  description = "Region of the functions, the relay, the source bucket and (by default) Firestore."
  type        = string
  default     = "europe-west1"
}

variable "firestore_location" {
  description = "Firestore location (a region such as europe-west1, or a multi-region such as eur3). Null: var.region."
  type        = string
  default     = null
}

variable "labels" {
  description = "Labels put on every resource that takes labels."
  type        = map(string)
  default     = { app = "teledesk" }
}

variable "deletion_protection" {
  description = "Protect the relay service and the Firestore database from `terraform destroy`."
  type        = bool
  default     = true
}

# --- Secrets: created beforehand with `gcloud secrets create` (docs/deploy.md); Terraform never sees their values.

variable "telegram_bot_token_secret_id" {
  description = "Secret Manager secret holding the bot token (TELEGRAM_BOT_TOKEN)."
  type        = string
  default     = "telegram-bot-token"
}

variable "telegram_webhook_secret_secret_id" {
  description = "Secret Manager secret holding the webhook secret token (TELEGRAM_WEBHOOK_SECRET)."
  type        = string
  default     = "telegram-webhook-secret"
}

variable "desk_admin_password_secret_id" {
  description = "Secret Manager secret holding the password of the first agent, admin (DESK_ADMIN_PASSWORD)."
  type        = string
  default     = "desk-admin-password"
}

variable "desk_session_secret_secret_id" {
  description = "Secret Manager secret holding the key that signs the console's session cookies (DESK_SESSION_SECRET)."
  type        = string
  default     = "desk-session-secret"
}

variable "telegram_api_base" {
  description = "Bot API root (TELEGRAM_API_BASE): Telegram's own, or any Bot-API-compatible server."
  type        = string
  default     = "https://api.telegram.org"
}

# --- Functions (one per entry of pipeline.yaml).

variable "functions_source_bucket" {
  description = "Existing bucket for the functions' source zips. Empty: Terraform creates <project_id>-teledesk-sources."
  type        = string
  default     = ""
}

variable "functions_source_prefix" {
  description = "Object prefix of the source zips in the bucket; each object is <prefix><function>-<md5>.zip."
  type        = string
  default     = "functions/"
}

variable "functions_build_dir" {
  description = "Where terraform/package_functions.py wrote the zips (<function>.zip). Null: terraform/build."
  type        = string
  default     = null
}

variable "function_runtime" {
  description = "Cloud Functions runtime."
  type        = string
  default     = "python311"
}

variable "function_memory" {
  description = "Memory of each function instance."
  type        = string
  default     = "256M"
}

variable "function_max_instances" {
  description = "Upper bound of instances per function."
  type        = number
  default     = 10
}

variable "function_env" {
  description = "Extra environment variables for every function."
  type        = map(string)
  default     = {}
}

# --- The relay (realtime/, also serving the console) on Cloud Run.

variable "relay_image" {
  description = "Container image of the relay, e.g. europe-west1-docker.pkg.dev/PROJECT/teledesk/relay:TAG."
  type        = string
}

variable "relay_service_name" {
  description = "Cloud Run service name of the relay."
  type        = string
  default     = "teledesk-relay"
}

variable "relay_min_instances" {
  description = "Minimum relay instances. 0 scales to zero when no agent is connected."
  type        = number
  default     = 0
}

variable "relay_max_instances" {
  description = "Maximum relay instances. Above 1, the relay needs a shared Socket.IO message queue (see docs/deploy.md)."
  type        = number
  default     = 1

  validation {
    condition     = var.relay_max_instances >= 1
    error_message = "relay_max_instances must be at least 1."
  }
}

variable "relay_concurrency" {
  description = "Concurrent requests (open websockets included) per relay instance."
  type        = number
  default     = 250
}

variable "relay_cpu" {
  description = "CPU limit of a relay instance."
  type        = string
  default     = "1"
}

variable "relay_memory" {
  description = "Memory limit of a relay instance."
  type        = string
  default     = "512Mi"
}

variable "relay_env" {
  description = "Extra environment variables for the relay (e.g. the Socket.IO message queue URL)."
  type        = map(string)
  default     = {}
}

# --- Monitoring.

variable "alert_email" {
  description = "Where alerts are e-mailed. Empty: the alert policies exist but notify nobody."
  type        = string
  default     = ""
}

variable "oldest_unacked_alert_seconds" {
  description = "Alert when a subscription's oldest unacknowledged message is older than this."
  type        = number
  default     = 300
}
