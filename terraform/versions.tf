terraform {
  required_version = ">= 1.5.0"

  required_providers {
    # 6.11 or later: google_workflows_workflow takes deletion_protection (workflows.tf).
    google = {
      source  = "hashicorp/google"
      version = "~> 6.11"
    }
    # Only for google_project_service_identity (the Pub/Sub service agent), which is beta-only.
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "~> 6.0"
    }
  }
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
