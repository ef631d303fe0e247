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
  description = "Protect the relay service, the Firestore database and the workflows (deleting one ends the executions watching open conversations) from `terraform destroy`."
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

variable "function_concurrency" {
  description = "Pushes one function instance handles at once. Each step mostly waits on Firestore and Pub/Sub, so several share a vCPU (docs/scaling.md); above 1 Cloud Functions needs at least 1 vCPU."
  type        = number
  default     = 8

  validation {
    condition     = var.function_concurrency >= 1 && var.function_concurrency <= 1000
    error_message = "function_concurrency must be between 1 and 1000 (Cloud Run's limit)."
  }
}

variable "function_cpu" {
  description = "vCPUs of each function instance (\"1\" or more when function_concurrency is above 1)."
  type        = string
  default     = "1"
}

variable "function_env" {
  description = "Extra environment variables for every function."
  type        = map(string)
  default     = {}
}

# --- A conversation's lifecycle and satisfaction question (the contract's settings), in every function's and the relay's environment.

variable "desk_sla_first_response_s" {
  description = "DESK_SLA_FIRST_RESPONSE_S: seconds an opened conversation may wait for an agent's first answer before it is marked as past its SLA (and its priority raised)."
  type        = number
  default     = 300

  validation {
    condition     = var.desk_sla_first_response_s >= 1 && floor(var.desk_sla_first_response_s) == var.desk_sla_first_response_s
    error_message = "desk_sla_first_response_s must be a whole number of seconds, at least 1."
  }
}

variable "desk_pending_resolve_s" {
  description = "DESK_PENDING_RESOLVE_S: seconds a pending conversation may go without a customer message before it is resolved."
  type        = number
  default     = 86400

  validation {
    condition     = var.desk_pending_resolve_s >= 1 && floor(var.desk_pending_resolve_s) == var.desk_pending_resolve_s
    error_message = "desk_pending_resolve_s must be a whole number of seconds, at least 1."
  }
}

variable "desk_send_lease_s" {
  description = "DESK_SEND_LEASE_S: seconds a delivery holds its claim on one part of an answer while it sends it; one request to Telegram is cut off 5 s before, and a claim found expired unsettled fails the answer as maybe_sent. Longer than a send with its waits (a 60 s upload), and at least 5 s shorter than the ack deadline pipeline.yaml gives the sending step (its function's timeout, 120 s)."
  type        = number
  default     = 90

  validation {
    condition     = var.desk_send_lease_s >= 60 && floor(var.desk_send_lease_s) == var.desk_send_lease_s
    error_message = "desk_send_lease_s must be a whole number of seconds, at least 60 (a send waits up to 5 s on a 429 inside it, and a 60 s upload must fit)."
  }
}

variable "desk_outbox_sweep_s" {
  description = "DESK_OUTBOX_SWEEP_S: seconds between two sweeps of the relay's outbox, which hands answers stored but not yet taken by the sending step to it again; also how long an answer waits there before."
  type        = number
  default     = 10

  validation {
    condition     = var.desk_outbox_sweep_s >= 1 && floor(var.desk_outbox_sweep_s) == var.desk_outbox_sweep_s
    error_message = "desk_outbox_sweep_s must be a whole number of seconds, at least 1."
  }
}

variable "desk_csat" {
  description = "DESK_CSAT: \"on\" asks the customer for a 1-5 rating in the chat when a conversation is resolved, \"off\" does not."
  type        = string
  default     = "on"

  validation {
    condition     = contains(["on", "off"], var.desk_csat)
    error_message = "desk_csat must be \"on\" or \"off\"."
  }
}

# --- The staff forum (docs/telegram.md): a topic per conversation in a forum supergroup, in every function's environment.

variable "desk_staff_chat_id" {
  description = "DESK_STAFF_CHAT_ID: the staff forum supergroup's chat id (e.g. -1001234567890), where the bot is an admin that manages topics; empty: no staff forum."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^(-[0-9]{1,19})?$", var.desk_staff_chat_id))
    error_message = "desk_staff_chat_id must be a supergroup's chat id (a negative number), or empty."
  }
}

variable "desk_staff_note_prefix" {
  description = "DESK_STAFF_NOTE_PREFIX: a staff message in a topic that starts with it is a private note, not an answer."
  type        = string
  default     = "!"

  validation {
    condition     = length(var.desk_staff_note_prefix) >= 1 && length(var.desk_staff_note_prefix) <= 8
    error_message = "desk_staff_note_prefix must be 1 to 8 characters."
  }
}

# --- The workflows of pipeline.yaml (`workflows:`): Cloud Workflows, each started by an Eventarc trigger.

variable "workflow_call_log_level" {
  description = "What each workflow logs of its calls to its steps: LOG_ERRORS_ONLY (a step's failure, with the retries), LOG_ALL_CALLS (every call and answer: one per wake of every watched conversation) or LOG_NONE."
  type        = string
  default     = "LOG_ERRORS_ONLY"

  validation {
    condition     = contains(["LOG_ERRORS_ONLY", "LOG_ALL_CALLS", "LOG_NONE"], var.workflow_call_log_level)
    error_message = "workflow_call_log_level must be LOG_ERRORS_ONLY, LOG_ALL_CALLS or LOG_NONE."
  }
}

variable "workflow_env" {
  description = "Extra environment variables for every workflow (sys.get_env), e.g. DESK_LIFECYCLE_REST_S. Each step's URL variable (`url_env`) is Terraform's own."
  type        = map(string)
  default     = {}
}

# --- The relay (realtime/: the agents' API and Socket.IO, and the console with console_layout = "relay") on Cloud Run.

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
  description = "Maximum relay instances while relay_redis is true (they share Memorystore); without Redis the relay runs on exactly 1."
  type        = number
  default     = 5

  validation {
    condition     = var.relay_max_instances >= 1
    error_message = "relay_max_instances must be at least 1."
  }
}

variable "relay_concurrency" {
  description = "Concurrent requests (open websockets included) per relay instance. The relay runs on gevent (one worker, greenlets): 1000 is Cloud Run's maximum."
  type        = number
  default     = 1000

  validation {
    condition     = var.relay_concurrency >= 1 && var.relay_concurrency <= 1000
    error_message = "relay_concurrency must be between 1 and 1000 (Cloud Run's limit)."
  }
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
  description = "Extra environment variables for the relay. DESK_REDIS_URL is Terraform's own while relay_redis is true."
  type        = map(string)
  default     = {}
}

# --- Scaling the relay out: Memorystore for Redis, reached by Direct VPC egress (docs/deploy.md, "Scaling the relay").

variable "relay_redis" {
  description = "Give the relay a Memorystore for Redis instance (DESK_REDIS_URL), so up to relay_max_instances relays share the desk. False: no Redis, no VPC, exactly 1 relay instance."
  type        = bool
  default     = true
}

variable "relay_redis_tier" {
  description = "Memorystore tier: BASIC (one node; a failure or maintenance empties it) or STANDARD_HA (a replica in another zone, failover in seconds)."
  type        = string
  default     = "BASIC"

  validation {
    condition     = contains(["BASIC", "STANDARD_HA"], var.relay_redis_tier)
    error_message = "relay_redis_tier must be BASIC or STANDARD_HA."
  }
}

variable "relay_redis_memory_size_gb" {
  description = "Memorystore capacity in GiB (the Socket.IO message queue and the desk's presence, typing, locks and revocations: small)."
  type        = number
  default     = 1

  validation {
    condition     = var.relay_redis_memory_size_gb >= 1 && var.relay_redis_memory_size_gb <= 300
    error_message = "relay_redis_memory_size_gb must be between 1 and 300."
  }
}

variable "relay_redis_version" {
  description = "Memorystore Redis version."
  type        = string
  default     = "REDIS_7_2"
}

variable "relay_redis_auth" {
  description = "Turn on Redis AUTH. The instance's AUTH string goes into DESK_REDIS_URL, which is then kept in a Secret Manager secret only the relay's service account may read."
  type        = bool
  default     = true
}

variable "relay_network" {
  description = "Existing VPC network (name, in this project) for the relay's Direct VPC egress and the Redis instance. Null: Terraform creates <relay_service_name>-vpc. Give relay_subnetwork with it."
  type        = string
  default     = null
}

variable "relay_subnetwork" {
  description = "Existing subnetwork (name, in var.region, of relay_network) the relay instances take their addresses from. Null: Terraform creates <relay_service_name>-<region>."
  type        = string
  default     = null
}

variable "relay_subnet_cidr" {
  description = "Range of the subnetwork Terraform creates for the relay (Direct VPC egress needs /26 or larger; about 4 addresses per relay instance)."
  type        = string
  default     = "10.8.0.0/24"

  validation {
    condition     = can(cidrnetmask(var.relay_subnet_cidr)) && try(tonumber(split("/", var.relay_subnet_cidr)[1]) <= 26, false)
    error_message = "relay_subnet_cidr must be an IPv4 range of /26 or larger."
  }
}

# --- Monitoring.

variable "alert_email" {
  description = "Where alerts are e-mailed (Terraform makes the e-mail channel). With neither this nor notification_channels, the alert policies still open incidents (Monitoring > Alerting) but notify nobody: plan and apply then warn (check block in monitoring.tf) and the alerts_go_to output says NOWHERE."
  type        = string
  default     = ""
}

variable "notification_channels" {
  description = "Existing Cloud Monitoring notification channels every alert also goes to (Slack, PagerDuty, SMS ... made elsewhere), as projects/PROJECT/notificationChannels/ID or the ID alone."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.notification_channels : can(regex("^(projects/[^/]+/notificationChannels/)?[0-9A-Za-z_-]+$", c))])
    error_message = "Each notification channel is projects/PROJECT/notificationChannels/ID or an ID."
  }
}

variable "alert_window_seconds" {
  description = "The window the counting alerts (failed sends, webhook errors, SLA breaches) count over."
  type        = number
  default     = 300

  validation {
    condition     = var.alert_window_seconds >= 60 && var.alert_window_seconds % 60 == 0
    error_message = "alert_window_seconds must be a whole number of minutes, at least 60."
  }
}

variable "delivery_failures_alert_threshold" {
  description = "Alert when more answers than this fail to reach Telegram within alert_window_seconds (a customer blocking the bot is not counted)."
  type        = number
  default     = 5
}

variable "webhook_errors_alert_threshold" {
  description = "Alert when the webhook answers more 4xx/5xx than this within alert_window_seconds."
  type        = number
  default     = 10
}

variable "relay_not_pulling_alert_seconds" {
  description = "With relay_min_instances > 0, alert when a relay subscription sees no pull request for this long."
  type        = number
  default     = 600

  validation {
    condition     = var.relay_not_pulling_alert_seconds >= 120 && var.relay_not_pulling_alert_seconds % 60 == 0
    error_message = "relay_not_pulling_alert_seconds must be a whole number of minutes, at least 120 (Cloud Monitoring's least for an absence)."
  }
}

variable "log_alert_notification_period_seconds" {
  description = "The \"needs reprocessing\" log alert notifies at most once per this many seconds."
  type        = number
  default     = 300

  validation {
    condition     = var.log_alert_notification_period_seconds >= 300
    error_message = "log_alert_notification_period_seconds must be at least 300 (Cloud Monitoring's least)."
  }
}

variable "oldest_unacked_alert_seconds" {
  description = "Alert when a subscription's oldest unacknowledged message is older than this."
  type        = number
  default     = 300
}

variable "uploads_retention_days" {
  description = "Days an agent's upload is kept in the uploads bucket (it reaches Telegram within minutes; a failed answer can be retried until then)."
  type        = number
  default     = 7

  validation {
    condition     = var.uploads_retention_days >= 1
    error_message = "uploads_retention_days must be at least 1."
  }
}

variable "access_logs_retention_days" {
  description = "Days the access logs of the sources and uploads buckets are kept in the logs bucket (<project_id>-teledesk-logs)."
  type        = number
  default     = 30

  validation {
    condition     = var.access_logs_retention_days >= 1
    error_message = "access_logs_retention_days must be at least 1."
  }
}

# --- Applying on a fresh project.

variable "iam_propagation_seconds" {
  description = "How long to wait after granting a role before what needs it is created (a new grant takes up to a minute or two to apply everywhere): the build account's before the functions build, the secret accessors before the functions and the relay start, the invokers before Pub/Sub and Eventarc push to them. Paid once, on the first apply (and again only when the grants change)."
  type        = number
  default     = 60

  validation {
    condition     = var.iam_propagation_seconds >= 0 && var.iam_propagation_seconds <= 600
    error_message = "iam_propagation_seconds must be between 0 and 600."
  }
}

# --- Encryption.

variable "kms_key_name" {
  description = "A Cloud KMS key (projects/P/locations/L/keyRings/R/cryptoKeys/K, in the location of `region`) that encrypts the Pub/Sub topics, the buckets and the Redis instance (customer-managed keys); Terraform lets the Pub/Sub, Cloud Storage and Memorystore service agents use it. Empty: Google-managed encryption."
  type        = string
  default     = ""

  validation {
    condition     = var.kms_key_name == "" || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", var.kms_key_name))
    error_message = "kms_key_name must be empty or projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY."
  }
}

variable "relay_redis_tls" {
  description = "Encrypt the relay's traffic to Memorystore (in-transit encryption, SERVER_AUTHENTICATION): DESK_REDIS_URL becomes rediss:// on port 6378 carrying the instance's CA certificate, which the relay's Redis clients verify the server against. False (the default): plain Redis inside the VPC peering, with AUTH. Changing it replaces the Redis instance."
  type        = bool
  default     = false
}

# --- The console: its own Cloud Run service behind one HTTPS load balancer, or served by the relay.

variable "console_layout" {
  description = "\"load_balancer\": the console (frontend/Dockerfile, console_image) is its own Cloud Run service, and one external HTTPS load balancer on `domain` sends /api/* and /socket.io/* to the relay and everything else to the console (one origin); both services take traffic from the load balancer only. \"relay\": no load balancer, the relay serves the console at its run.app URL (its image holds the built console)."
  type        = string
  default     = "load_balancer"

  validation {
    condition     = contains(["load_balancer", "relay"], var.console_layout)
    error_message = "console_layout must be \"load_balancer\" or \"relay\"."
  }
}

variable "domain" {
  description = "The agents' console's domain name, e.g. desk.example.org, with console_layout = \"load_balancer\": Google issues its certificate once its DNS A record points at the load_balancer_ip output."
  type        = string
  default     = ""

  validation {
    condition     = var.console_layout != "load_balancer" || var.domain != ""
    error_message = "console_layout = \"load_balancer\" needs a domain: set domain (e.g. domain = \"desk.example.org\", then point its DNS A record at the load_balancer_ip output), or set console_layout = \"relay\" to have the relay serve the console at its run.app URL without a load balancer."
  }
  validation {
    condition     = var.domain == "" || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain))
    error_message = "domain must be a lowercase DNS name such as desk.example.org (no scheme, no path)."
  }
}

variable "console_image" {
  description = "Container image of the console (frontend/Dockerfile: the built console behind nginx), e.g. europe-west1-docker.pkg.dev/PROJECT/teledesk/console:TAG. Needed with console_layout = \"load_balancer\"."
  type        = string
  default     = ""

  validation {
    condition     = var.console_layout != "load_balancer" || var.console_image != ""
    error_message = "console_layout = \"load_balancer\" needs console_image (the image built from frontend/Dockerfile), or set console_layout = \"relay\"."
  }
}

variable "console_service_name" {
  description = "Cloud Run service name of the console (console_layout = \"load_balancer\")."
  type        = string
  default     = "teledesk-console"
}

variable "console_max_instances" {
  description = "Maximum console instances (static files: one instance serves many agents)."
  type        = number
  default     = 3

  validation {
    condition     = var.console_max_instances >= 1
    error_message = "console_max_instances must be at least 1."
  }
}

# --- Operations: uptime, backups.

variable "uptime_check_period_seconds" {
  description = "How often Cloud Monitoring asks the relay's /api/health from several regions (at the domain with the load balancer, else at the relay's URL). Each check wakes a relay instance if none runs, so with relay_min_instances = 0 the relay does not stay at zero instances for long."
  type        = number
  default     = 300

  validation {
    condition     = contains([60, 300, 600, 900], var.uptime_check_period_seconds)
    error_message = "uptime_check_period_seconds must be 60, 300, 600 or 900 (Cloud Monitoring's periods)."
  }
}

variable "firestore_backup_retention_days" {
  description = "Days each daily Firestore backup is kept (point-in-time recovery covers the last 7 days besides)."
  type        = number
  default     = 7

  validation {
    condition     = var.firestore_backup_retention_days >= 1 && var.firestore_backup_retention_days <= 98
    error_message = "firestore_backup_retention_days must be between 1 and 98 (Firestore keeps a backup at most 14 weeks)."
  }
}
