# One external HTTPS load balancer in front of the console and the relay (console_layout =
# "load_balancer"): /api/* and /socket.io/* go to the relay, everything else to the console, on
# one domain with a Google-managed certificate. Console and API stay one origin, so the relay's
# session cookie (host-only, SameSite=Lax) and its same-origin checks hold as when it serves the
# console itself: behind the load balancer it sees the agents' Host (the domain) and
# X-Forwarded-Proto https, against which Socket.IO checks the Origin of a handshake and the API
# the Origin of a change (realtime/app.py, realtime/api.py); it has no list of allowed origins
# to be given. Plain HTTP on the same address is redirected to HTTPS.
#
# With console_layout = "relay" none of this exists (every resource here has count or for_each
# over nothing), and the relay serves the console at its run.app URL.

locals {
  # The two backends, each a serverless NEG on its Cloud Run service.
  lb_backends = local.lb ? toset(["relay", "console"]) : toset([])

  # What the relay answers: its API and its Socket.IO endpoint. Anything else is the console's.
  lb_relay_paths = ["/api/*", "/socket.io/*"]

  lb_name = "${var.console_service_name}-lb"
}

resource "google_compute_region_network_endpoint_group" "lb" {
  for_each = local.lb_backends

  name                  = "${local.lb_name}-${each.key}"
  region                = var.region
  network_endpoint_type = "SERVERLESS"

  cloud_run {
    service = each.key == "relay" ? google_cloud_run_v2_service.relay.name : google_cloud_run_v2_service.console[0].name
  }

  depends_on = [google_project_service.apis]
}

# No timeout_sec: a backend service with serverless NEGs refuses one (the API answers "Timeout sec
# is not supported for a backend service with Serverless network endpoint groups"); a request,
# and so a websocket, lasts as long as the Cloud Run service's own request timeout, 3600 s for
# the relay (relay.tf). No session affinity here either: with one serverless NEG there is one
# endpoint to pick; the relay's instance affinity is Cloud Run's own (session_affinity in
# relay.tf: a cookie Cloud Run sets, which passes through the load balancer like any other),
# which keeps a Socket.IO session on the instance that holds it.
resource "google_compute_backend_service" "lb" {
  for_each = local.lb_backends

  name                  = "${local.lb_name}-${each.key}"
  description           = "teledesk ${each.key} behind the console's load balancer"
  load_balancing_scheme = "EXTERNAL_MANAGED"

  backend {
    group = google_compute_region_network_endpoint_group.lb[each.key].id
  }

  # One log line per request (a websocket is one request), for what reached which backend.
  log_config {
    enable      = true
    sample_rate = 1
  }
}

resource "google_compute_url_map" "lb" {
  count = local.lb ? 1 : 0

  name            = local.lb_name
  description     = "teledesk: the relay's API and Socket.IO, and the console, on ${var.domain}"
  default_service = google_compute_backend_service.lb["console"].id

  host_rule {
    hosts        = ["*"]
    path_matcher = "desk"
  }

  path_matcher {
    name            = "desk"
    default_service = google_compute_backend_service.lb["console"].id

    path_rule {
      paths   = local.lb_relay_paths
      service = google_compute_backend_service.lb["relay"].id
    }
  }
}

# Google issues and renews it once the domain's DNS A record points at the address below (it stays
# PROVISIONING until then). Named after the domain, and made before the old one goes, so that
# changing `domain` swaps certificates without a moment without one.
resource "google_compute_managed_ssl_certificate" "lb" {
  count = local.lb ? 1 : 0

  name = "${local.lb_name}-${substr(sha1(var.domain), 0, 8)}"

  managed {
    domains = [var.domain]
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [google_project_service.apis]
}

# TLS 1.2 or later, with the MODERN profile's ciphers only.
resource "google_compute_ssl_policy" "lb" {
  count = local.lb ? 1 : 0

  name            = local.lb_name
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"

  depends_on = [google_project_service.apis]
}

resource "google_compute_target_https_proxy" "lb" {
  count = local.lb ? 1 : 0

  name             = local.lb_name
  url_map          = google_compute_url_map.lb[0].id
  ssl_certificates = [google_compute_managed_ssl_certificate.lb[0].id]
  ssl_policy       = google_compute_ssl_policy.lb[0].id
}

# The address agents' browsers reach: the domain's DNS A record (output load_balancer_ip).
resource "google_compute_global_address" "lb" {
  count = local.lb ? 1 : 0

  name = local.lb_name

  depends_on = [google_project_service.apis]
}

resource "google_compute_global_forwarding_rule" "https" {
  count = local.lb ? 1 : 0

  name                  = "${local.lb_name}-https"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  ip_address            = google_compute_global_address.lb[0].id
  port_range            = "443"
  target                = google_compute_target_https_proxy.lb[0].id
}

# http://<domain>/... answers a permanent redirect to https://<domain>/..., query kept.
resource "google_compute_url_map" "redirect" {
  count = local.lb ? 1 : 0

  name        = "${local.lb_name}-redirect"
  description = "teledesk: HTTP to HTTPS"

  # It references nothing else that waits for the Compute Engine API.
  depends_on = [google_project_service.apis]

  default_url_redirect {
    https_redirect         = true
    redirect_response_code = "MOVED_PERMANENTLY_DEFAULT"
    strip_query            = false
  }
}

resource "google_compute_target_http_proxy" "redirect" {
  count = local.lb ? 1 : 0

  name    = "${local.lb_name}-redirect"
  url_map = google_compute_url_map.redirect[0].id
}

resource "google_compute_global_forwarding_rule" "http" {
  count = local.lb ? 1 : 0

  name                  = "${local.lb_name}-http"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  ip_address            = google_compute_global_address.lb[0].id
  port_range            = "80"
  target                = google_compute_target_http_proxy.redirect[0].id
}
