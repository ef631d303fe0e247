output "webhook_url" {
  description = "Telegram's webhook: the URL of the manifest's first HTTP entry point."
  value       = try(google_cloudfunctions2_function.fn[local.webhook_function].service_config[0].uri, null)
}

output "console_url" {
  description = "The agents' console (and its API and Socket.IO): https://<domain> through the load balancer (console_layout = \"load_balancer\"), else the relay's URL."
  value       = local.lb ? "https://${var.domain}" : google_cloud_run_v2_service.relay.uri
}

output "load_balancer_ip" {
  description = "The load balancer's address: create a DNS A record <domain> -> this address; Google issues the certificate once it resolves. Null with console_layout = \"relay\"."
  value       = one(google_compute_global_address.lb[*].address)
}

output "alerts_go_to" {
  description = "Where the alert policies notify: the e-mail and channels, or NOWHERE when neither alert_email nor notification_channels is set."
  value       = local.alerts_go_to
}

output "relay_redis" {
  description = "host:port of the relay's Memorystore for Redis instance (private; reached by Direct VPC egress), null without Redis."
  value       = one(local.relay_redis_addresses)
}

output "relay_max_instances" {
  description = "How many relay instances Cloud Run may run (1 without Redis)."
  value       = local.relay_max_instances
}

output "function_urls" {
  description = "Every function of the manifest and its URL (event steps accept only Pub/Sub's pushes)."
  value       = { for name, fn in google_cloudfunctions2_function.fn : name => fn.service_config[0].uri }
}

output "dead_letter_holds" {
  description = "Where each step's dead-lettered messages wait: `gcloud pubsub subscriptions pull <hold>`."
  value       = { for name, sub in google_pubsub_subscription.dead_letter_hold : name => sub.name }
}

output "dashboard_url" {
  description = "The Cloud Monitoring dashboard."
  value       = "https://console.cloud.google.com/monitoring/dashboards/custom/${element(split("/", google_monitoring_dashboard.desk.id), 3)}?project=${var.project_id}"
}

output "functions_source_bucket" {
  description = "Bucket holding the functions' source zips."
  value       = local.source_bucket
}

output "workflows" {
  description = "Each workflow of the manifest: its name and id, the topic that starts it, and how to list its executions."
  value = {
    for name, workflow in google_workflows_workflow.wf : name => {
      name            = workflow.name
      id              = workflow.id
      trigger_topic   = local.workflows[name].trigger_topic
      executions_list = "gcloud workflows executions list ${workflow.name} --location=${var.region} --project=${var.project_id}"
    }
  }
}

output "webhook_secret_version" {
  description = "The version of the webhook secret the webhook reads (terraform/secrets.tf): the one Telegram must be given (make deploy, make register-webhook)."
  value       = local.secret_versions["TELEGRAM_WEBHOOK_SECRET"]
}
