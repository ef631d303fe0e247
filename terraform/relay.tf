# The relay (realtime/): Pub/Sub pull -> Socket.IO, the agents' HTTP API, and (with
# console_layout = "relay") the built console, on Cloud Run. Websockets are long requests:
# session affinity keeps a socket on its instance, the request timeout is the longest Cloud Run
# allows (behind the load balancer too: lb.tf). The image runs gunicorn with
# one gevent worker (thousands of websockets as greenlets in one process), hence the high
# request concurrency. With Redis (redis.tf) up to relay_max_instances instances share the
# desk; without it, exactly one.

resource "google_cloud_run_v2_service" "relay" {
  name     = var.relay_service_name
  location = var.region
  # Behind the load balancer (console_layout = "load_balancer") it takes traffic from the load
  # balancer only: its run.app URL answers nobody else. Alone, it is the agents' URL.
  ingress             = local.lb ? "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" : "INGRESS_TRAFFIC_ALL"
  deletion_protection = var.deletion_protection

  template {
    service_account                  = google_service_account.relay.email
    timeout                          = "3600s"
    session_affinity                 = true
    max_instance_request_concurrency = var.relay_concurrency

    scaling {
      min_instance_count = var.relay_min_instances
      max_instance_count = local.relay_max_instances
    }

    # Direct VPC egress to the Memorystore instance's private address; everything else (Google
    # APIs, Telegram) leaves the usual way.
    dynamic "vpc_access" {
      for_each = local.relay_redis ? [local.relay_network_name] : []
      content {
        egress = "PRIVATE_RANGES_ONLY"
        network_interfaces {
          network    = local.relay_network_name
          subnetwork = local.relay_subnetwork_name
        }
      }
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
        # The pull loops work between requests too: keep the CPU allocated.
        cpu_idle          = false
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = local.relay_plain_env
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
              version = local.secret_versions[env.key]
            }
          }
        }
      }

      # With Redis AUTH, DESK_REDIS_URL (it holds the AUTH string) comes from Secret Manager, at
      # the version Terraform wrote: a new AUTH string rolls out a new revision.
      dynamic "env" {
        for_each = local.relay_redis_auth ? ["DESK_REDIS_URL"] : []
        content {
          name = env.value
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.relay_redis_url[0].secret_id
              version = google_secret_manager_secret_version.relay_redis_url[0].version
            }
          }
        }
      }

      # /api/health answers 200 once the relay's pull loops run: only then does it take
      # traffic (up to 2 minutes to start).
      startup_probe {
        initial_delay_seconds = 2
        period_seconds        = 5
        timeout_seconds       = 4
        failure_threshold     = 24
        http_get {
          path = "/api/health"
        }
      }

      # Afterwards it answers 503 only when a pull loop has died (a loop retries transient
      # Pub/Sub errors itself), and such an instance would never show new messages again:
      # Cloud Run restarts it after 3 failures 10 s apart. The timeout is longer than the
      # 5 s the health check may spend asking Telegram about the webhook (cached 30 s), and
      # 3 failures in a row leave room for a busy moment; restarting drops every socket the
      # instance holds (the consoles reconnect and refetch).
      liveness_probe {
        initial_delay_seconds = 0
        period_seconds        = 10
        timeout_seconds       = 8
        failure_threshold     = 3
        http_get {
          path = "/api/health"
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.relay_min_instances <= local.relay_max_instances
      error_message = "relay_min_instances must not exceed relay_max_instances (which is 1 when relay_redis is false)."
    }
    precondition {
      condition     = (var.relay_network == null) == (var.relay_subnetwork == null)
      error_message = "Give relay_network and relay_subnetwork together, or neither (Terraform then creates both)."
    }
  }

  # After its secret accessors and subscription rights have settled (iam.tf): a revision that
  # cannot read a secret does not start, and its pull loops need their subscriptions.
  depends_on = [
    google_project_service.apis,
    time_sleep.runtime_grants,
    google_compute_subnetwork.relay,
    google_firestore_database.desk,
  ]
}

# Public: agents' browsers call it without Google credentials (through the load balancer, which
# passes no identity of its own, or at its run.app URL); the relay authenticates every API call
# and Socket.IO connection itself.
resource "google_cloud_run_v2_service_iam_member" "relay_public" {
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.relay.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
