# The console as its own Cloud Run service (console_layout = "load_balancer"): the built
# frontend/dist behind nginx (frontend/Dockerfile, frontend/nginx.conf.template), a static image
# that listens on $PORT, answers every client-side route with index.html, caches the hashed
# assets for a year and index.html never. The load balancer (lb.tf) puts it and the relay on one
# origin, so the console's relative /api and /socket.io URLs reach the relay unchanged.

resource "google_cloud_run_v2_service" "console" {
  count = local.lb ? 1 : 0

  name     = var.console_service_name
  location = var.region
  # Reached through the load balancer only, like the relay.
  ingress = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
  # Stateless: nothing is lost when it is destroyed, so it is never protected.
  deletion_protection = false

  template {
    service_account                  = google_service_account.console[0].email
    max_instance_request_concurrency = 1000 # static files: nginx holds many at once

    scaling {
      min_instance_count = 0
      max_instance_count = var.console_max_instances
    }

    containers {
      image = var.console_image

      ports {
        container_port = 8080 # passed as PORT, which nginx.conf.template listens on
      }

      resources {
        limits = {
          cpu    = "1"
          memory = "256Mi"
        }
        cpu_idle = true # nothing runs between requests
      }

      startup_probe {
        period_seconds    = 2
        timeout_seconds   = 1
        failure_threshold = 10
        http_get {
          path = "/index.html"
        }
      }
    }
  }

  depends_on = [google_project_service.apis]
}

# Public, as the relay: agents' browsers load it through the load balancer, which passes no
# identity of its own; what it serves is the console's code, and everything behind it asks for a
# login (the relay's API).
resource "google_cloud_run_v2_service_iam_member" "console_public" {
  count = local.lb ? 1 : 0

  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.console[0].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
