# Scaling the relay out. Several relay instances share one Memorystore for Redis instance:
# Flask-SocketIO's message_queue (an event emitted on one relay reaches the sockets held by
# every other) and what is per desk rather than per process (presence, typing, revoked
# sessions, rate limits, single-flight locks). The relay reads it from DESK_REDIS_URL, and
# reaches its private address by Direct VPC egress on a subnetwork of the VPC network the
# instance is peered with. Without Redis (relay_redis = false) there is none of this, and the
# relay runs on exactly one instance.

locals {
  relay_redis      = var.relay_redis
  relay_redis_auth = var.relay_redis && var.relay_redis_auth
  # Several relays only with a shared Redis: otherwise each would see only its own sockets.
  relay_max_instances = var.relay_redis ? var.relay_max_instances : 1

  # The network and subnetwork the relay's Direct VPC egress uses: given, or created below.
  relay_create_network  = var.relay_redis && var.relay_network == null
  relay_network_name    = coalesce(var.relay_network, "${var.relay_service_name}-vpc")
  relay_subnetwork_name = coalesce(var.relay_subnetwork, "${var.relay_service_name}-${var.region}")
}

resource "google_compute_network" "relay" {
  count = local.relay_create_network ? 1 : 0

  name                    = local.relay_network_name
  description             = "teledesk: the relay's Direct VPC egress to its Memorystore for Redis instance."
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"

  depends_on = [google_project_service.apis]
}

resource "google_compute_subnetwork" "relay" {
  count = local.relay_create_network ? 1 : 0

  name          = local.relay_subnetwork_name
  description   = "Addresses of the relay's Cloud Run instances (Direct VPC egress)."
  network       = google_compute_network.relay[0].id
  region        = var.region
  ip_cidr_range = var.relay_subnet_cidr
  # Google APIs stay reachable from the subnetwork without external addresses.
  private_ip_google_access = true

  # VPC flow logs: what the relay's instances exchanged with Redis (and anything else in the
  # network), sampled, aggregated over 10 minutes: a small subnetwork's logs cost little.
  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# Nothing in the network Terraform creates takes connections: the relay's instances only dial
# out (to Redis, by the peering), and replies to them are allowed by the firewall's state. The
# rule writes down what the network's implied rule already does, so that no one relies on a
# default (and a rule someone adds later with a higher priority is an explicit exception).
resource "google_compute_firewall" "relay_deny_ingress" {
  count = local.relay_create_network ? 1 : 0

  name        = "${local.relay_network_name}-deny-ingress"
  description = "teledesk: nothing may connect into the relay's network."
  network     = google_compute_network.relay[0].id
  direction   = "INGRESS"
  priority    = 65534

  source_ranges = ["0.0.0.0/0"]

  deny {
    protocol = "all"
  }
}

resource "google_redis_instance" "relay" {
  # checkov:skip=CKV_GCP_97: in-transit encryption is opt-in (relay_redis_tls = true: SERVER_AUTHENTICATION, rediss:// with the instance's CA); off by default because the relay's TLS connection is tested here against a TLS redis-server, not yet against Memorystore, and the traffic stays on Google's private network inside the VPC peering, behind AUTH.
  count = local.relay_redis ? 1 : 0

  name           = var.relay_service_name
  display_name   = "teledesk relay: Socket.IO message queue and desk state"
  region         = var.region
  tier           = var.relay_redis_tier
  memory_size_gb = var.relay_redis_memory_size_gb
  redis_version  = var.relay_redis_version

  # Private address only, peered with the relay's network (DIRECT_PEERING needs no private
  # services access range); the network Terraform creates holds nothing but the relay.
  authorized_network = local.relay_create_network ? google_compute_network.relay[0].id : "projects/${var.project_id}/global/networks/${local.relay_network_name}"
  connect_mode       = "DIRECT_PEERING"

  # AUTH: a client must also know the instance's AUTH string, which only the relay is given
  # (through Secret Manager, below).
  auth_enabled = var.relay_redis_auth
  # In-transit encryption (relay_redis_tls): the instance serves TLS on port 6378 with a
  # certificate of its own CA, which DESK_REDIS_URL carries (below). Off by default: the traffic
  # never leaves Google's private network between the relay's subnetwork and the peered instance.
  transit_encryption_mode = var.relay_redis_tls ? "SERVER_AUTHENTICATION" : "DISABLED"

  # kms_key_name: Memorystore's service agent encrypts the instance's data with it (iam.tf).
  customer_managed_key = local.cmek ? var.kms_key_name : null

  # Memorystore picks its own /29 among the network's unused ranges: let it see the subnetwork.
  depends_on = [google_project_service.apis, google_compute_subnetwork.relay, time_sleep.kms_grants]
}

# With AUTH, DESK_REDIS_URL carries the AUTH string. It is kept in Secret Manager, where only
# the relay's service account may read it (iam.tf), rather than as a plain environment
# variable, which anyone allowed to view the Cloud Run service (roles/run.viewer, roles/viewer)
# could read. The version is pinned by number in the relay, so a new AUTH string rolls out
# a new revision. (The AUTH string is in the Terraform state either way, as an attribute of
# the instance: keep the state where only operators read it, or set relay_redis_auth = false.)
resource "google_secret_manager_secret" "relay_redis_url" {
  count = local.relay_redis_auth ? 1 : 0

  secret_id = "${var.relay_service_name}-redis-url"

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_version" "relay_redis_url" {
  count = local.relay_redis_auth ? 1 : 0

  secret      = google_secret_manager_secret.relay_redis_url[0].id
  secret_data = local.relay_redis_auth_urls[0]
}

locals {
  # host:port of the instance (no secret in it); empty without Redis.
  relay_redis_addresses = [for instance in google_redis_instance.relay : "${instance.host}:${instance.port}"]

  # With TLS, rediss:// and the instance's CA certificate in the URL's query: redis-py hands a
  # query argument it does not know to its connection, so `ssl_ca_data` is the CA the server is
  # verified against (the relay's clients and Socket.IO's queue both read the URL). The chain is
  # checked against this instance's own CA; the name is not, as the relay dials an IP address.
  relay_redis_scheme = var.relay_redis_tls ? "rediss" : "redis"
  relay_redis_url_queries = [
    for instance in google_redis_instance.relay :
    var.relay_redis_tls ? "?ssl_ca_data=${urlencode(try(instance.server_ca_certs[0].cert, ""))}&ssl_check_hostname=false" : ""
  ]

  # With AUTH, the URL carrying the AUTH string: a sensitive value, for the secret only.
  relay_redis_auth_urls = [
    for i, instance in google_redis_instance.relay :
    "${local.relay_redis_scheme}://:${urlencode(instance.auth_string)}@${instance.host}:${instance.port}/0${local.relay_redis_url_queries[i]}" if local.relay_redis_auth
  ]

  # The relay's plain environment: the conversation settings (functions.tf; relay_env's entry of
  # the same name wins), relay_env, then Terraform's. DESK_REDIS_URL is Terraform's while
  # relay_redis is true: the instance's address here without AUTH, from the secret above with it
  # (relay.tf).
  # "512Mi", "1Gi", "2G" … in bytes: the relay's media cache takes a quarter of its memory (on Cloud
  # Run its disk is that memory), unless relay_env sets DESK_MEDIA_CACHE_BYTES.
  relay_memory_bytes = tonumber(regex("^[0-9]+", var.relay_memory)) * lookup(
    { Ki = 1024, Mi = 1048576, Gi = 1073741824, k = 1000, M = 1000000, G = 1000000000 },
    regex("[A-Za-z]*$", var.relay_memory), 1
  )

  # DESK_TRUSTED_PROXIES: the Google front ends that append to X-Forwarded-For before the relay
  # (realtime/origins.py): Cloud Run's alone; behind the HTTPS load balancer (lb.tf), it
  # appends the client's address and its own. X-Forwarded-Proto is the nearest one's either way.
  relay_plain_env = merge(
    local.conversation_settings,
    local.delivery_settings,
    { DESK_MEDIA_CACHE_BYTES = tostring(floor(local.relay_memory_bytes / 4)) },
    { DESK_TRUSTED_PROXIES = local.lb ? "2" : "1" },
    { for name, value in var.relay_env : name => value if !(local.relay_redis && name == "DESK_REDIS_URL") },
    {
      GOOGLE_CLOUD_PROJECT = var.project_id
      TELEGRAM_API_BASE    = var.telegram_api_base
      DESK_BLOB_BUCKET     = local.uploads_bucket
    },
    {
      for i, address in local.relay_redis_addresses :
      "DESK_REDIS_URL" => "${local.relay_redis_scheme}://${address}/0${local.relay_redis_url_queries[i]}" if !local.relay_redis_auth
    },
  )
}
