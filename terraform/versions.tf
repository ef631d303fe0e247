terraform {
  # 1.9 or later: a variable's validation may refer to another variable (`domain` names the
  # `console_layout` that needs it, variables.tf).
  required_version = ">= 1.9.0"

  required_providers {
    # 7.x: the provider line this configuration is written against. Its upgrade guide's removals
    # touch nothing here: google_compute_subnetwork's `enable_flow_logs` (flow logs are the
    # `log_config` block, redis.tf), google_cloudfunctions2_function's `service_config.service`
    # and a required `event_trigger.event_type` (functions.tf sets neither: Terraform's own push
    # subscriptions feed the steps), google_project_service's `disable_on_destroy` now defaulting
    # to false (main.tf says so explicitly).
    google = {
      source  = "hashicorp/google"
      version = "~> 7.0"
    }
    # Only for google_project_service_identity (the Pub/Sub service agent), which is beta-only.
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "~> 7.0"
    }
    # time_sleep: the waits for IAM grants to settle before what uses them (iam.tf).
    time = {
      source  = "hashicorp/time"
      version = "~> 0.13"
    }
  }

  # The state lives in a Cloud Storage bucket, not on the machine that ran `terraform apply`: a
  # second operator (or a second run of `make deploy`) sees the same resources, and the bucket's
  # object versioning keeps every earlier state to go back to. The block is left empty on purpose
  # (partial configuration): `make deploy` passes the bucket and prefix at init,
  #   terraform init -backend-config=bucket=<state bucket> -backend-config=prefix=teledesk
  # so that no project's bucket name is written here. The state holds the Redis AUTH string
  # (redis.tf): only operators should read that bucket.
  backend "gcs" {}
}

provider "google" {
  project        = var.project_id
  region         = var.region
  default_labels = var.labels
}

provider "google-beta" {
  project        = var.project_id
  region         = var.region
  default_labels = var.labels
}
