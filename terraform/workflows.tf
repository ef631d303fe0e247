# The workflows of pipeline.yaml (`workflows:`): each a Cloud Workflows definition from its YAML,
# started once per message on its trigger topic by an Eventarc trigger, and calling its steps (the
# functions of its `steps`, which functions.tf makes with internal ingress) with an OIDC token.
# Three identities per workflow, each with only what it uses:
#   - the workflow's own (td-wf-<workflow>): invoker of its steps' Cloud Run services, log writer;
#   - its trigger's (td-ev-<workflow>): may start executions (roles/workflows.invoker);
#   - each step's runtime account (iam.tf, as every function): publisher on its topic_out.

# Each workflow's environment (sys.get_env): workflow_env, then each step's URL under the variable
# its manifest entry names (`url_env`), which wins. The run.app URL: a function with internal
# ingress admits Workflows' calls there, not at a custom domain.
locals {
  workflow_env_vars = {
    for name, workflow in local.workflows : name => merge(
      var.workflow_env,
      { for env, step in workflow.step_urls : env => google_cloudfunctions2_function.fn[step].service_config[0].uri },
    )
  }
}

# (workflow, step) pairs: the workflow's identity may invoke exactly these Cloud Run services.
locals {
  workflow_step_invokers = {
    for pair in flatten([
      for name, workflow in local.workflows : [
        for step in workflow.steps : { key = "${name}/${step}", workflow = name, step = step }
      ]
    ]) : pair.key => pair
  }
}

# --- The workflow's identity: calls its steps, writes its call logs.

resource "google_service_account" "workflow" {
  for_each = local.workflows

  account_id   = "td-wf-${each.key}"
  display_name = "teledesk workflow ${each.key}"
  description  = "Runs ${each.value.source}; may invoke ${join(", ", each.value.steps)}."

  lifecycle {
    precondition {
      condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", "td-wf-${each.key}"))
      error_message = "Workflow name ${each.key} must be lowercase letters, digits and hyphens, at most 24 characters."
    }
  }

  depends_on = [google_project_service.apis]
}

# Invoker of its own steps only: a 2nd gen function runs as the Cloud Run service of its name.
resource "google_cloud_run_v2_service_iam_member" "workflow_invoker" {
  for_each = local.workflow_step_invokers

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.fn[each.value.step].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.workflow[each.value.workflow].email}"
}

# The call logs (call_log_level) are written as the workflow's service account.
resource "google_project_iam_member" "workflow_log_writer" {
  for_each = local.workflows

  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.workflow[each.key].email}"
}

resource "google_workflows_workflow" "wf" {
  for_each = local.workflows

  name            = each.key
  region          = var.region
  description     = "teledesk workflow from ${each.value.source}, one execution per message on ${each.value.trigger_topic}"
  service_account = google_service_account.workflow[each.key].id
  source_contents = file("${path.module}/../${each.value.source}")
  user_env_vars   = local.workflow_env_vars[each.key]
  call_log_level  = var.workflow_call_log_level
  # Deleting a workflow cancels its running executions: the watches of the open conversations.
  deletion_protection = var.deletion_protection

  labels = {
    teledesk-workflow = each.key
  }

  lifecycle {
    precondition {
      condition     = length(each.value.steps_without_url) == 0
      error_message = "Every step of workflow ${each.key} needs `url_env` (the variable its URL is given in): ${join(", ", each.value.steps_without_url)} has none."
    }
  }

  depends_on = [
    google_project_service.apis,
    google_project_iam_member.workflow_log_writer,
    google_cloud_run_v2_service_iam_member.workflow_invoker,
  ]
}

# --- The trigger's identity: starts executions, nothing else. Google's roles for Pub/Sub events
# to Workflows: roles/workflows.invoker (granted on the project, the narrowest place Workflows
# takes it); roles/eventarc.eventReceiver is not needed for direct Pub/Sub events.

resource "google_service_account" "trigger" {
  for_each = local.workflows

  account_id   = "td-ev-${each.key}"
  display_name = "teledesk trigger of workflow ${each.key}"
  description  = "Identity of the Eventarc trigger that starts ${each.key} on ${each.value.trigger_topic}."

  lifecycle {
    precondition {
      condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", "td-ev-${each.key}"))
      error_message = "Workflow name ${each.key} must be lowercase letters, digits and hyphens, at most 24 characters."
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_project_iam_member" "trigger_workflows_invoker" {
  for_each = local.workflows

  project = var.project_id
  role    = "roles/workflows.invoker"
  member  = "serviceAccount:${google_service_account.trigger[each.key].email}"
}

# The trigger's subscription pushes with a token of the trigger's account, which the Pub/Sub
# service agent signs (Google asks for this grant where that agent dates from before April 2021).
resource "google_service_account_iam_member" "pubsub_mints_trigger_tokens" {
  for_each = local.workflows

  service_account_id = google_service_account.trigger[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

# One execution per message published on the trigger topic. Eventarc makes and owns the push
# subscription; the topic, with the manifest's retention, is ours (pubsub.tf).
resource "google_eventarc_trigger" "workflow" {
  for_each = local.workflows

  name            = each.key
  location        = var.region
  service_account = google_service_account.trigger[each.key].email

  matching_criteria {
    attribute = "type"
    value     = "google.cloud.pubsub.topic.v1.messagePublished"
  }

  transport {
    pubsub {
      topic = google_pubsub_topic.all[each.value.trigger_topic].id
    }
  }

  destination {
    workflow = google_workflows_workflow.wf[each.key].id
  }

  labels = {
    teledesk-workflow = each.key
  }

  lifecycle {
    precondition {
      condition     = alltrue([for part in each.value.published_by : part == "relay" || contains(keys(local.functions), part)])
      error_message = "published_by of workflow ${each.key} names something that is neither a function of the manifest nor \"relay\": ${join(", ", each.value.published_by)}."
    }
  }

  # Executions start as soon as the trigger exists: only once the trigger's account may start
  # them, the Pub/Sub service agent may sign its tokens, and the workflow may call its steps and
  # log, all settled (time_sleep.invoker_grants in iam.tf waits for these grants and the others).
  depends_on = [
    google_project_iam_member.trigger_workflows_invoker,
    google_service_account_iam_member.pubsub_mints_trigger_tokens,
    time_sleep.invoker_grants,
  ]
}
