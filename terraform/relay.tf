# The relay (realtime/): Pub/Sub streaming pull -> Socket.IO, the agents' HTTP API, and the
# built console, on Cloud Run. Websockets are long requests: session affinity keeps a socket
# on its instance, the request timeout is the longest Cloud Run allows.

resource "google_cloud_run_v2_service" "relay" {
  name                = var.relay_service_name
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_ALL"
  deletion_protection = var.deletion_protection

  template {
    service_account                  = google_service_account.relay.email
    timeout                          = "3600s"
    session_affinity                 = true
    max_instance_request_concurrency = var.relay_concurrency

    scaling {
      min_instance_count = var.relay_min_instances
      max_instance_count = var.relay_max_instances
    }

    containers {
      image = var.relay_image

      ports {
        container_port = 8080 # Cloud Run passes it as PORT, which the relay listens on
      }

      resources {
        limits = {
          cpu    = var.relay_cpu
          memory = var.relay_memory
        }
        # The streaming-pull subscriber works between requests too: keep the CPU allocated.
        cpu_idle          = false
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = merge(var.relay_env, {
          GOOGLE_CLOUD_PROJECT = var.project_id
          TELEGRAM_API_BASE    = var.telegram_api_base
        })
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = toset(local.relay_secrets)
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = local.secret_ids[env.key]
              version = "latest"
            }
          }
        }
      }

      # /api/health answers 200 once the relay is subscribed: only then does it take traffic.
      startup_probe {
        initial_delay_seconds = 2
        period_seconds        = 5
        timeout_seconds       = 3
        failure_threshold     = 24
        http_get {
          path = "/api/health"
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.relay_min_instances <= var.relay_max_instances
      error_message = "relay_min_instances must not exceed relay_max_instances."
    }
  }

  depends_on = [
    google_project_service.apis,
    google_secret_manager_secret_iam_member.relay,
    google_pubsub_subscription_iam_member.relay_subscriber,
    google_pubsub_subscription_iam_member.relay_viewer,
    google_firestore_database.desk,
  ]
}

# The console is public; the relay authenticates every API call and Socket.IO connection itself.
resource "google_cloud_run_v2_service_iam_member" "relay_public" {
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.relay.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
