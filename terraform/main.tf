# The pipeline comes from pipeline.yaml, the one file that lists the steps. Nothing in this
# directory names a step, a topic or a workflow: every step's topics, subscriptions, dead-letter
# topics, function and service account, and every workflow with its trigger and steps, are
# derived here, so adding a step or a workflow to the manifest needs no Terraform change.

locals {
  manifest  = yamldecode(file("${path.module}/../pipeline.yaml"))
  defaults  = local.manifest.defaults
  retention = local.manifest.message_retention

  # Secret Manager secret behind each environment variable a process reads.
  secret_ids = {
    TELEGRAM_BOT_TOKEN      = var.telegram_bot_token_secret_id
    TELEGRAM_WEBHOOK_SECRET = var.telegram_webhook_secret_secret_id
    DESK_ADMIN_PASSWORD     = var.desk_admin_password_secret_id
    DESK_SESSION_SECRET     = var.desk_session_secret_secret_id
  }

  # Which secrets a function reads unless its manifest entry says otherwise with `secrets: [...]`:
  # an HTTP entry point checks the webhook's secret token; an event step may call the Bot API; a
  # workflow's step reads none unless it says so.
  default_secrets = {
    http     = ["TELEGRAM_WEBHOOK_SECRET"]
    event    = ["TELEGRAM_BOT_TOKEN"]
    workflow = []
  }

  # HTTP entry points (public), keyed by name.
  http_entries = {
    for entry in try(local.manifest.http, []) : entry.name => {
      name        = entry.name
      kind        = "http"
      source      = entry.source
      entry_point = entry.entry_point
      topic_out   = try(entry.topic_out, null)
      timeout     = try(entry.timeout_seconds, 60)
      secrets     = tolist(try(entry.secrets, local.default_secrets.http))
      # `writes_metrics: true`: the function writes the desk's custom metric series (DESK_METRICS=cloud
      # and roles/monitoring.metricWriter); the others get neither.
      writes_metrics = try(entry.writes_metrics, false)
      # `reads_uploads: true`: the function reads agents' uploads (DESK_BLOB_BUCKET, object viewer).
      reads_uploads = try(entry.reads_uploads, false)
    }
  }

  # Where each event step parks what it gives up on, and what feeds it: `topic_in` (one topic or a
  # list), then, with `watch_dead_letters: true`, every other step's dead-letter topic in manifest
  # order (teledesk.manifest reads the manifest the same way).
  dead_letter_topics = { for step in try(local.manifest.steps, []) : step.name => "${step.name}-dead-letter" }
  step_topics_in = {
    for step in try(local.manifest.steps, []) : step.name => concat(
      flatten([step.topic_in]),
      try(step.watch_dead_letters, false) ? [
        for other in local.manifest.steps : local.dead_letter_topics[other.name] if other.name != step.name
      ] : [],
    )
  }

  # Event steps, each fed by one push subscription per topic it reads (`<step>-push` for a step
  # fed by one topic, `<step>-<topic>-push` for each topic of a step fed by several), with the
  # manifest defaults applied.
  event_steps = {
    for step in try(local.manifest.steps, []) : step.name => {
      name        = step.name
      kind        = "event"
      source      = step.source
      entry_point = step.entry_point
      topics_in   = local.step_topics_in[step.name]
      subscriptions = {
        for topic in local.step_topics_in[step.name] :
        topic => length(local.step_topics_in[step.name]) == 1 ? "${step.name}-push" : "${step.name}-${topic}-push"
      }
      topic_out             = try(step.topic_out, null)
      announces             = try(step.announces, null)
      filter                = try(step.filter, null)
      minimum_backoff       = merge(local.defaults.retry, try(step.retry, {})).minimum_backoff
      maximum_backoff       = merge(local.defaults.retry, try(step.retry, {})).maximum_backoff
      max_delivery_attempts = try(step.max_delivery_attempts, local.defaults.max_delivery_attempts)
      ack_deadline_seconds  = try(step.ack_deadline_seconds, local.defaults.ack_deadline_seconds)
      # Pub/Sub waits ack_deadline_seconds for a push answer: the function may take as long.
      timeout           = try(step.ack_deadline_seconds, local.defaults.ack_deadline_seconds)
      secrets           = tolist(try(step.secrets, local.default_secrets.event))
      writes_metrics    = try(step.writes_metrics, false)
      reads_uploads     = try(step.reads_uploads, false)
      dead_letter_topic = local.dead_letter_topics[step.name]
      dead_letter_hold  = "${local.dead_letter_topics[step.name]}-hold"
    }
  }

  # One push subscription per (step, topic), with its step's policies. A step fed by one topic
  # keys it by the step's name, as before steps could read several topics, so that an existing
  # subscription keeps its Terraform address (and its backlog).
  push_subscriptions = merge([
    for name, step in local.event_steps : {
      for topic, subscription in step.subscriptions :
      (length(step.subscriptions) == 1 ? name : "${name}/${topic}") => merge(step, {
        step         = name
        topic        = topic
        subscription = subscription
      })
    }
  ]...)

  # Workflows (`workflows:`), keyed by name: one execution per message on `trigger_topic` (an
  # Eventarc trigger), which the parts in `published_by` publish (a function's name, or "relay").
  # `step_urls`: the variable the workflow reads a step's URL from (`url_env`) => the step.
  workflows = {
    for workflow in try(local.manifest.workflows, []) : workflow.name => {
      name          = workflow.name
      source        = workflow.source
      trigger_topic = workflow.trigger_topic
      published_by  = tolist(try(workflow.published_by, []))
      steps         = [for step in try(workflow.steps, []) : step.name]
      step_urls     = { for step in try(workflow.steps, []) : step.url_env => step.name if try(step.url_env, null) != null }
      # Each step needs its `url_env`, or the workflow could not find it (a precondition says so).
      steps_without_url = [for step in try(workflow.steps, []) : step.name if try(step.url_env, null) == null]
    }
  }

  # The workflows' steps: HTTP functions only their workflow calls, with an OIDC token of the
  # workflow's service account (internal ingress, no public invoker, no push subscription).
  workflow_steps = {
    for step in flatten([
      for workflow in try(local.manifest.workflows, []) : [
        for step in try(workflow.steps, []) : {
          name           = step.name
          kind           = "workflow"
          workflow       = workflow.name
          source         = step.source
          entry_point    = step.entry_point
          url_env        = try(step.url_env, null)
          topic_out      = try(step.topic_out, null)
          timeout        = try(step.timeout_seconds, 60)
          secrets        = tolist(try(step.secrets, local.default_secrets.workflow))
          writes_metrics = try(step.writes_metrics, false)
          reads_uploads  = try(step.reads_uploads, false)
        }
      ]
    ]) : step.name => step
  }

  # The trigger topics each part publishes on, in manifest order: a part in a workflow's
  # `published_by` (a function, or "relay") may publish on that workflow's trigger topic.
  trigger_publishers = {
    for part in distinct(flatten([for workflow in try(local.manifest.workflows, []) : try(workflow.published_by, [])])) :
    part => distinct([
      for workflow in try(local.manifest.workflows, []) : workflow.trigger_topic if contains(try(workflow.published_by, []), part)
    ])
  }

  # Every function, HTTP, event or a workflow's step, in one shape.
  functions = {
    for name, fn in merge(local.http_entries, local.event_steps, local.workflow_steps) : name => {
      name        = name
      kind        = fn.kind
      source      = fn.source
      entry_point = fn.entry_point
      topic_out   = fn.topic_out
      timeout     = fn.timeout
      secrets     = fn.secrets
      # Only the functions that write metric series may (least privilege), and only they are
      # told to write them to Cloud Monitoring.
      writes_metrics = fn.writes_metrics
      reads_uploads  = fn.reads_uploads
      # What the function publishes on: its topic_out, an event step its own dead-letter topic
      # too (it parks unreadable messages there itself) and what it `announces` on, and the trigger
      # topic of every workflow whose `published_by` names it.
      announces = try(fn.announces, null)
      publishes = compact(concat([fn.topic_out, try(fn.dead_letter_topic, ""), try(fn.announces, "")],
      try(local.trigger_publishers[name], [])))
    }
  }

  # The first HTTP entry point of the manifest receives Telegram's webhook.
  webhook_function = try(local.manifest.http[0].name, null)

  relay_subscribes = toset(try(local.manifest.relay.subscribes, []))
  relay_publishes  = local.manifest.relay.publishes
  relay_secrets    = ["DESK_ADMIN_PASSWORD", "DESK_SESSION_SECRET", "TELEGRAM_BOT_TOKEN"]

  # Every topic the relay publishes on: the agents' answers, where it announces an agent's change
  # of a conversation, and the trigger topics of the workflows whose `published_by` has "relay".
  relay_publish_topics = toset(compact(concat(
    [local.relay_publishes, try(local.manifest.relay.announces, "")],
    try(local.trigger_publishers["relay"], []),
  )))

  # The relay's pull subscription on each topic it relays.
  relay_subscriptions = { for topic in local.relay_subscribes : topic => "relay-${topic}" }

  # Every topic: what the functions read and write, the relay's, the dead-letter topics, and the
  # workflows' trigger topics.
  topics = toset(concat(
    [for fn in values(local.functions) : fn.topic_out if fn.topic_out != null],
    [for fn in values(local.functions) : fn.announces if fn.announces != null],
    flatten([for step in values(local.event_steps) : step.topics_in]),
    values(local.dead_letter_topics),
    tolist(local.relay_subscribes),
    tolist(local.relay_publish_topics),
    [for workflow in values(local.workflows) : workflow.trigger_topic],
  ))

  # The functions that write metric series: roles/monitoring.metricWriter, DESK_METRICS=cloud.
  metric_writers = toset([for name, fn in local.functions : name if fn.writes_metrics])

  # Agents' uploads (teledesk.blobs): the relay writes them, the functions with
  # `reads_uploads: true` read them (DESK_BLOB_BUCKET).
  uploads_bucket = "${var.project_id}-teledesk-uploads"
  upload_readers = toset([for name, fn in local.functions : name if fn.reads_uploads])

  # (function, secret) pairs and (function, topic) pairs, for per-resource IAM.
  function_secret_grants = {
    for pair in flatten([
      for name, fn in local.functions : [
        for env in fn.secrets : { key = "${name}/${env}", function = name, secret_id = local.secret_ids[env] }
      ]
    ]) : pair.key => pair
  }
  function_publish_grants = {
    for pair in flatten([
      for name, fn in local.functions : [
        for topic in fn.publishes : { key = "${name}/${topic}", function = name, topic = topic }
      ]
    ]) : pair.key => pair
  }

  # What terraform/package_functions.py wrote: one zip per function, and the descriptors of the
  # desk's custom metric series (from teledesk/metrics/catalog.py) that the dashboard and alerts use.
  build_dir               = coalesce(var.functions_build_dir, "${path.module}/build")
  function_zips           = { for name, fn in local.functions : name => "${local.build_dir}/${name}.zip" }
  metric_descriptors_file = "${local.build_dir}/metric_descriptors.json"
  custom_metrics          = fileexists(local.metric_descriptors_file) ? jsondecode(file(local.metric_descriptors_file)) : {}

  apis = toset(concat(
    [
      "artifactregistry.googleapis.com",
      "cloudbuild.googleapis.com",
      "cloudfunctions.googleapis.com",
      "cloudresourcemanager.googleapis.com",
      "eventarc.googleapis.com",
      "firestore.googleapis.com",
      "iam.googleapis.com",
      "logging.googleapis.com",
      "monitoring.googleapis.com",
      "pubsub.googleapis.com",
      "run.googleapis.com",
      "secretmanager.googleapis.com",
      "storage.googleapis.com",
      # The workflows and their Eventarc triggers (Google's list for Pub/Sub events to Workflows:
      # Eventarc, Eventarc Publishing, Workflows, Workflow Executions).
      "eventarcpublishing.googleapis.com",
      "workflowexecutions.googleapis.com",
      "workflows.googleapis.com",
    ],
    # The relay's VPC (Compute Engine) and Memorystore, only when the relay has Redis.
    var.relay_redis ? ["compute.googleapis.com", "redis.googleapis.com"] : [],
    # The load balancer in front of the console and the relay is Compute Engine's too.
    local.lb ? ["compute.googleapis.com"] : [],
    # Customer-managed keys (kms_key_name).
    local.cmek ? ["cloudkms.googleapis.com"] : [],
  ))

  # The console's layout (console_layout): its own Cloud Run service behind one HTTPS load
  # balancer (lb.tf, console.tf), or served by the relay without a load balancer.
  lb = var.console_layout == "load_balancer"

  # Customer-managed encryption (kms_key_name), for what takes a key: topics, buckets, Redis.
  cmek = var.kms_key_name != ""
}

# The project's number: the Cloud Functions source bucket and the service agents are named by it.
data "google_project" "this" {
  project_id = var.project_id
}

resource "google_project_service" "apis" {
  for_each = local.apis

  project = var.project_id
  service = each.key
  # Provider 7 defaults to false too: destroying this leaves the API on for whatever else uses it.
  disable_on_destroy = false
}

# The Pub/Sub service agent: it mints the push subscriptions' OIDC tokens and moves messages
# that exhausted their delivery attempts to the dead-letter topics.
resource "google_project_service_identity" "pubsub" {
  provider = google-beta

  project = var.project_id
  service = "pubsub.googleapis.com"

  depends_on = [google_project_service.apis]
}
