# One IAM role per Kubernetes role (IRSA), each allowed exactly what its routes and beans call, plus the role
# KEDA uses to read queue depths. A process runs the routes REELROUTE_ROUTES_ENABLED names; the lists below
# follow routes/*.camel.yaml:
#   api        api-*, rest:*, rest-api:* (the REST operations and /api-doc)
#   media      upload-event, upload-object, chunk, reassembly-check, reassembly, reassemble, after-completion,
#              lifecycle-event
#   inference  inference, infer-segment, record-completion, reassembly-check, lifecycle-event
#   transcode  transcode-events, transcode-submit, package-locally, lifecycle-event
#   watchdog   watchdog (also finishing deleted jobs' purges), dead-letters-{chunking,video-worker,reassembly,
#              transcode-events}, lifecycle-event
#
# The policies are built here with jsonencode() rather than aws_iam_policy_document, so `terraform test` (mock
# provider) and `terraform console` see the real JSON. Their ARNs are made from names, with the account and
# partition of the OIDC provider (the roles must live in its account), so they are known without credentials;
# the check block at the end compares them with the real resources after apply.
#
# S3 note: HeadObject/GetObject of a missing key answers 404 only with s3:ListBucket on the bucket, 403 without.
# Several beans treat 404 as "not there" (a source to re-drive, final.mp4 already written), so roles that look
# for objects that may be absent get ListBucket on that bucket.

locals {
  partition  = split(":", var.oidc_provider_arn)[1]
  account_id = split(":", var.oidc_provider_arn)[4]

  arn = {
    input_bucket      = "arn:${local.partition}:s3:::${local.buckets.input}"
    output_bucket     = "arn:${local.partition}:s3:::${local.buckets.output}"
    jobs              = "arn:${local.partition}:dynamodb:${var.region}:${local.account_id}:table/${local.tables.jobs}"
    jobs_index        = "arn:${local.partition}:dynamodb:${var.region}:${local.account_id}:table/${local.tables.jobs}/index/${local.tables.jobs_index}"
    unfinished_index  = "arn:${local.partition}:dynamodb:${var.region}:${local.account_id}:table/${local.tables.jobs}/index/${local.tables.unfinished_index}"
    watch_index       = "arn:${local.partition}:dynamodb:${var.region}:${local.account_id}:table/${local.tables.jobs}/index/${local.tables.watch_index}"
    completions       = "arn:${local.partition}:dynamodb:${var.region}:${local.account_id}:table/${local.tables.segment_completions}"
    triggered         = "arn:${local.partition}:dynamodb:${var.region}:${local.account_id}:table/${local.tables.reassembly_triggered}"
    events_bus        = "arn:${local.partition}:events:${var.region}:${local.account_id}:event-bus/${var.events_bus_name}"
    mediaconvert_role = "arn:${local.partition}:iam::${local.account_id}:role/${var.prefix}-mediaconvert"
    mediaconvert_queue = coalesce(var.mediaconvert_queue_arn,
    "arn:${local.partition}:mediaconvert:${var.region}:${local.account_id}:queues/Default")
  }
  queue_arn = { for key, q in local.work_queues : key => "arn:${local.partition}:sqs:${var.region}:${local.account_id}:${q.name}" }
  dlq_arn   = { for key, q in local.work_queues : key => "arn:${local.partition}:sqs:${var.region}:${local.account_id}:${q.dlq_name}" }

  # Object keys (io.reelroute.contract.SourceKey, SegmentKey, OutputKeys).
  objects = {
    sources         = "${local.arn.input_bucket}/input/*/source.mp4"
    input_folders   = "${local.arn.input_bucket}/input/*"
    segments        = "${local.arn.input_bucket}/segments/*"
    tracks          = "${local.arn.input_bucket}/tracks/*"
    segment_outputs = "${local.arn.output_bucket}/jobs/*/segments/*"
    final_videos    = "${local.arn.output_bucket}/jobs/*/final.mp4"
    hls             = "${local.arn.output_bucket}/jobs/*/hls/*"
    job_folders     = "${local.arn.output_bucket}/jobs/*"
    dead_letters    = "${local.arn.output_bucket}/dead-letters/*"
    requests        = "${local.arn.output_bucket}/${var.inference_request_prefix}*"
    results         = "${local.arn.output_bucket}/${var.inference_result_prefix}*"
  }

  sqs_consume = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]

  # What every process calls, whatever routes it runs.
  common_statements = [
    # AwsResources: GetQueueUrl of all eight queues at start (reelroute.queue-url.* for the routes).
    { sid = "StartupQueueUrls", actions = ["sqs:GetQueueUrl"], resources = flatten([for key in local.queue_keys : [local.queue_arn[key], local.dlq_arn[key]]]) },
    # AwsHealth (readiness): GetQueueAttributes(QueueArn) of the chunking queue.
    { sid = "ReadinessChunkingQueue", actions = ["sqs:GetQueueAttributes"], resources = [local.queue_arn["chunking"]] },
    # AwsHealth (readiness): DescribeTable of the Jobs table.
    { sid = "ReadinessJobsTable", actions = ["dynamodb:DescribeTable"], resources = [local.arn.jobs] },
    # AwsHealth (readiness): HeadBucket of the input bucket; also makes HeadObject of a missing input key a 404.
    { sid = "ReadinessInputBucket", actions = ["s3:ListBucket"], resources = [local.arn.input_bucket] },
  ]

  # lifecycle-event (every role but api): PutEvents of job completed / HLS ready / failed on the bus.
  lifecycle_events_statement = { sid = "PublishLifecycleEvents", actions = ["events:PutEvents"], resources = [local.arn.events_bus] }

  # JobPurge (api-purge-job after a deletion; the watchdog when that purge did not finish).
  purge_statements = {
    # ListObjectsV2 under jobs/{id}/ of the output bucket (the input bucket is in ReadinessInputBucket).
    list = { sid = "ListJobOutputs", actions = ["s3:ListBucket"], resources = [local.arn.output_bucket], condition = { StringLike = { "s3:prefix" = ["jobs/*"] } } }
    # DeleteObject of a deleted job's source, tracks, segments and outputs.
    delete = { sid = "PurgeDeletedJobs", actions = ["s3:DeleteObject"], resources = [local.objects.input_folders, local.objects.segments, local.objects.tracks, local.objects.job_folders] }
  }

  # With a customer-managed key, reading and writing objects needs the key (SSE-KMS; multipart uploads need both).
  kms_statement = {
    sid       = "BucketEncryptionKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [coalesce(var.kms_key_arn, "none")]
    when      = var.kms_key_arn != null
  }

  role_statements = {
    api = concat(local.common_statements, [
      # api-create-job (createIfAbsent: conditional PutItem), api-get-job / api-job-events / api-upload-parts
      # (GetItem), api-delete-job (markDeleted), api-purge-job (purged) and api-retry-job (resetFailed):
      # conditional UpdateItem.
      { sid = "JobRecords", actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], resources = [local.arn.jobs] },
      # api-list-jobs?status=completed|failed: Query on the status-completed_at index.
      { sid = "CompletedJobsIndex", actions = ["dynamodb:Query"], resources = [local.arn.jobs_index] },
      # api-list-jobs?status=in_progress and the unfinished-jobs count: Query on the sparse unfinished_owner-created_at index.
      { sid = "UnfinishedJobsIndex", actions = ["dynamodb:Query"], resources = [local.arn.unfinished_index] },
      # api-retry-job: which segments are missing (Query of the job's completions).
      { sid = "SegmentCompletions", actions = ["dynamodb:Query"], resources = [local.arn.completions] },
      # api-create-job: presigned PUT of the source; api-upload-parts / api-complete-upload: CreateMultipartUpload,
      # presigned UploadPart, CompleteMultipartUpload (all s3:PutObject); api-retry-job: HeadObject of the source.
      { sid = "UploadSources", actions = ["s3:PutObject", "s3:GetObject"], resources = [local.objects.sources] },
      # api-create-job / api-get-job: presigned GET of final.mp4; api-media: the HLS package's files.
      { sid = "ServeResults", actions = ["s3:GetObject"], resources = [local.objects.final_videos, local.objects.hls] },
      local.purge_statements.list,
      local.purge_statements.delete,
      # api-retry-job (Redrive): the upload event, segment events or reassembly message sent again.
      { sid = "RedriveRetriedJobs", actions = ["sqs:SendMessage"], resources = [local.queue_arn["chunking"], local.queue_arn["video-worker"], local.queue_arn["reassembly"]] },
      local.kms_statement,
    ])

    media = concat(local.common_statements, [
      # upload-event and reassembly: the aws2-sqs consumers (ChangeMessageVisibility: extendMessageVisibility).
      { sid = "ConsumeChunkingAndReassembly", actions = local.sqs_consume, resources = [local.queue_arn["chunking"], local.queue_arn["reassembly"]] },
      # reassembly-check: the reassembly hand-off; after-completion: the packaging request to transcode-events;
      # JobFailures: the request to publish a failure event, and a webhook's, to transcode-events.
      { sid = "SendReassemblyAndPackagingRequests", actions = ["sqs:SendMessage"], resources = [local.queue_arn["reassembly"], local.queue_arn["transcode-events"]] },
      # upload-object (JobStarter: conditional PutItem, startChunking), chunk (chunkingComplete), reassembly
      # (plan, ReassemblyLocks, startReassembly, complete), JobFailures (fail, recordLastError), lifecycle-event
      # (the job as detail).
      { sid = "JobRecords", actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], resources = [local.arn.jobs] },
      # reassemble: every segment's completion must be recorded (Query).
      { sid = "SegmentCompletions", actions = ["dynamodb:Query"], resources = [local.arn.completions] },
      # reassembly-check: the Idempotent Consumer's claim (conditional PutItem, GetItem, confirm UpdateItem,
      # DeleteItem of a pending claim when the hand-off fails).
      { sid = "ReassemblyTrigger", actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], resources = [local.arn.triggered] },
      # chunk: download the source.
      { sid = "ReadSources", actions = ["s3:GetObject"], resources = [local.objects.sources] },
      # chunk: upload the segments (aws2-s3 producer).
      { sid = "WriteSegments", actions = ["s3:PutObject"], resources = [local.objects.segments] },
      # chunk: upload the source's audio, subtitles and chapters; reassemble: download them (absent for a source
      # that has none: a 404 through ReadinessInputBucket's ListBucket).
      { sid = "SourceTracks", actions = ["s3:PutObject", "s3:GetObject"], resources = [local.objects.tracks] },
      # reassemble: the aws2-s3 endpoint's HeadBucket at start; reassembly: HeadObject of a missing final.mp4 is a 404.
      { sid = "OutputBucket", actions = ["s3:ListBucket"], resources = [local.arn.output_bucket] },
      # reassemble: download the segment outputs; reassembly (finalExists): final.mp4.
      { sid = "ReadSegmentOutputsAndFinal", actions = ["s3:GetObject"], resources = [local.objects.segment_outputs, local.objects.final_videos] },
      # reassemble: multipart upload of final.mp4 (aws2-s3 multiPartUpload aborts the upload on failure).
      { sid = "WriteFinalVideos", actions = ["s3:PutObject", "s3:AbortMultipartUpload"], resources = [local.objects.final_videos] },
      local.lifecycle_events_statement,
      local.kms_statement,
    ])

    inference = concat(local.common_statements, [
      # inference: the aws2-sqs consumer of the video-worker queue (extendMessageVisibility).
      { sid = "ConsumeVideoWorker", actions = local.sqs_consume, resources = [local.queue_arn["video-worker"]] },
      # reassembly-check: the reassembly hand-off once the last segment is done.
      { sid = "TriggerReassembly", actions = ["sqs:SendMessage"], resources = [local.queue_arn["reassembly"]] },
      # JobFailures (a job failed here): the request to publish its failure event, and its webhook's, to transcode-events.
      { sid = "RequestFailureEvents", actions = ["sqs:SendMessage"], resources = [local.queue_arn["transcode-events"]] },
      # record-completion: TransactWriteItems = Update of the job's count (here) + Put of the completion (below);
      # reassembly-check (readyForReassembly), JobFailures (fail, recordLastError), lifecycle-event (detail).
      { sid = "JobRecords", actions = ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources = [local.arn.jobs] },
      # record-completion: the conditional Put of the completion inside the transaction.
      { sid = "RecordCompletions", actions = ["dynamodb:PutItem"], resources = [local.arn.completions] },
      # reassembly-check: the Idempotent Consumer's claim, as for media.
      { sid = "ReassemblyTrigger", actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], resources = [local.arn.triggered] },
      # infer-segment (exec and http backends): download the segment.
      { sid = "ReadSegments", actions = ["s3:GetObject"], resources = [local.objects.segments] },
      # infer-segment: the output, tagged for the lifecycle rule (PutObject with tags needs PutObjectTagging);
      # backends that write the output themselves (sagemaker-async, lambda): the tag alone.
      { sid = "WriteSegmentOutputs", actions = ["s3:PutObject", "s3:PutObjectTagging"], resources = [local.objects.segment_outputs] },
      # sagemaker-async: InvokeEndpointAsync.
      { sid = "InvokeSageMakerEndpoints", actions = ["sagemaker:InvokeEndpointAsync"], resources = var.inference_sagemaker_endpoint_arns, when = length(var.inference_sagemaker_endpoint_arns) > 0 },
      # sagemaker-async: the request document staged in the output bucket, tagged to expire with the segments.
      { sid = "StageSageMakerRequests", actions = ["s3:PutObject", "s3:PutObjectTagging"], resources = [local.objects.requests], when = length(var.inference_sagemaker_endpoint_arns) > 0 },
      # sagemaker-async: HeadObject (polling, so a 404 needs ListBucket) and GetObject of the response or error document.
      { sid = "ReadSageMakerResults", actions = ["s3:GetObject"], resources = [local.objects.results], when = length(var.inference_sagemaker_endpoint_arns) > 0 },
      { sid = "PollSageMakerResults", actions = ["s3:ListBucket"], resources = [local.arn.output_bucket], when = length(var.inference_sagemaker_endpoint_arns) > 0 },
      # lambda: Invoke (RequestResponse) through the aws2-lambda producer.
      { sid = "InvokeLambdaFunctions", actions = ["lambda:InvokeFunction"], resources = var.inference_lambda_function_arns, when = length(var.inference_lambda_function_arns) > 0 },
      local.lifecycle_events_statement,
      local.kms_statement,
    ])

    transcode = concat(local.common_statements, [
      # transcode-events: the aws2-sqs consumer of the transcode-events queue (extendMessageVisibility).
      { sid = "ConsumeTranscodeEvents", actions = local.sqs_consume, resources = [local.queue_arn["transcode-events"]] },
      # transcode-events (TranscodeEvents: hls_status moves forward by conditional UpdateItem), transcode-submit
      # (needsPackaging, hlsSubmitted, hlsFailed), lifecycle-event (detail).
      { sid = "JobRecords", actions = ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources = [local.arn.jobs] },
      # transcode-submit (MediaConvertSubmitter): CreateJob on the configured queue...
      { sid = "SubmitMediaConvertJobs", actions = ["mediaconvert:CreateJob"], resources = [local.arn.mediaconvert_queue] },
      # ...passing the MediaConvert role, to MediaConvert only.
      { sid = "PassMediaConvertRole", actions = ["iam:PassRole"], resources = [local.arn.mediaconvert_role], condition = { StringEquals = { "iam:PassedToService" = "mediaconvert.amazonaws.com" } } },
      # package-locally (reelroute.transcode.packager=local, no MediaConvert): final.mp4 in, the HLS package out,
      # and its COMPLETE/ERROR event to transcode-events. transcode-submit reads final.mp4 too: ffprobe lists its
      # audio tracks through a presigned GET before the CreateJob.
      { sid = "OutputBucket", actions = ["s3:ListBucket"], resources = [local.arn.output_bucket] },
      { sid = "ReadFinalVideos", actions = ["s3:GetObject"], resources = [local.objects.final_videos] },
      { sid = "WriteLocalHlsPackages", actions = ["s3:PutObject"], resources = [local.objects.hls] },
      { sid = "SendLocalPackagingEvents", actions = ["sqs:SendMessage"], resources = [local.queue_arn["transcode-events"]] },
      local.lifecycle_events_statement,
      local.kms_statement,
    ])

    watchdog = concat(local.common_statements, [
      # dead-letters-*: the aws2-sqs consumers of the four DLQs (no visibility extension there).
      { sid = "ConsumeDeadLetters", actions = ["sqs:ReceiveMessage", "sqs:DeleteMessage"], resources = [for key in local.queue_keys : local.dlq_arn[key]] },
      # watchdog (Redrive): a lost upload event, segment events or reassembly message sent again.
      { sid = "RedriveStalledJobs", actions = ["sqs:SendMessage"], resources = [local.queue_arn["chunking"], local.queue_arn["video-worker"], local.queue_arn["reassembly"]] },
      # watchdog, dead-letters-* (a job failed here): the request to publish its failure event, and its webhook's.
      { sid = "RequestFailureEvents", actions = ["sqs:SendMessage"], resources = [local.queue_arn["transcode-events"]] },
      # watchdog: the lease (conditional UpdateItem of lease#watchdog), recordRepair, fail, purged, the release of
      # idle watches; the one-off backfill of records from before the sparse indexes (a Scan, once: a marker item
      # says it was done); dead-letters-*: find, failDeadLettered, hlsFailed; lifecycle-event (detail).
      { sid = "JobRecords", actions = ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Scan"], resources = [local.arn.jobs] },
      # watchdog: stalled jobs, pending webhooks and pending purges: Query on the sparse watch-updated_at index.
      { sid = "WatchIndex", actions = ["dynamodb:Query"], resources = [local.arn.watch_index] },
      # watchdog: which segments of a stalled job are done (Query).
      { sid = "SegmentCompletions", actions = ["dynamodb:Query"], resources = [local.arn.completions] },
      # watchdog: HeadObject of the source and of undone segments' inputs (lost or only unsent?).
      { sid = "CheckInputs", actions = ["s3:GetObject"], resources = [local.objects.sources, local.objects.segments] },
      # dead-letters-*: the copy of each dead letter, for re-driving.
      { sid = "KeepDeadLetters", actions = ["s3:PutObject"], resources = [local.objects.dead_letters] },
      # watchdog (JobPurge): a deleted job's purge that did not finish, run again.
      local.purge_statements.list,
      local.purge_statements.delete,
      local.lifecycle_events_statement,
      local.kms_statement,
    ])

    # KEDA's aws-sqs-queue scaler reads ApproximateNumberOfMessages(NotVisible) of the work queues, nothing else.
    keda-scaler = [
      { sid = "ReadQueueDepths", actions = ["sqs:GetQueueAttributes"], resources = [for key in local.queue_keys : local.queue_arn[key]] },
    ]
  }

  # The IAM JSON of each role's policy; statements whose `when` is false are left out.
  role_policies = {
    for role, statements in local.role_statements : role => jsonencode({
      Version = "2012-10-17"
      Statement = [
        for s in statements : merge(
          { Sid = s.sid, Effect = "Allow", Action = s.actions, Resource = s.resources },
          { for k, v in { Condition = try(s.condition, {}) } : k => v if length(v) > 0 }
        ) if try(s.when, true)
      ]
    })
  }

  # Every action each role may call, for tests and reviews (terraform console: local.role_actions).
  role_actions = {
    for role, statements in local.role_statements : role => sort(distinct(flatten([for s in statements : s.actions if try(s.when, true)])))
  }

  # Who assumes each role: the Kubernetes service account reelroute-<role>, and KEDA's operator.
  service_accounts = merge(
    { for role in ["api", "media", "inference", "transcode", "watchdog"] : role => "system:serviceaccount:${var.namespace}:reelroute-${role}" },
    { keda-scaler = "system:serviceaccount:${var.keda_namespace}:${var.keda_service_account}" }
  )
}

resource "aws_iam_role" "this" {
  for_each    = local.service_accounts
  name        = "${var.prefix}-${each.key}"
  description = "ReelRoute ${each.key}: assumed by ${each.value} through the cluster's OIDC provider"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = var.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${var.oidc_issuer}:sub" = each.value
          "${var.oidc_issuer}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}

resource "aws_iam_role_policy" "this" {
  for_each = local.service_accounts
  name     = "${var.prefix}-${each.key}"
  role     = aws_iam_role.this[each.key].id
  policy   = local.role_policies[each.key]
}

# MediaConvert reads final.mp4 and writes the package with its own role (hls-packaging module): with a
# customer-managed bucket key, that role needs the key too.
resource "aws_iam_role_policy" "mediaconvert_kms" {
  count = var.kms_key_arn == null ? 0 : 1
  name  = "${var.prefix}-mediaconvert-kms"
  role  = element(split("/", module.hls_packaging.mediaconvert_role_arn), 1)
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "BucketEncryptionKey"
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource = var.kms_key_arn
    }]
  })
}

# The policies name resources by ARNs made from names: after apply, they must be the real ones.
check "policy_arns_match_resources" {
  assert {
    condition = alltrue(concat(
      [for key in local.queue_keys : aws_sqs_queue.work[key].arn == local.queue_arn[key] && aws_sqs_queue.dlq[key].arn == local.dlq_arn[key]],
      [aws_dynamodb_table.jobs.arn == local.arn.jobs, aws_dynamodb_table.segment_completions.arn == local.arn.completions,
        aws_dynamodb_table.reassembly_triggered.arn == local.arn.triggered, aws_s3_bucket.this["input"].arn == local.arn.input_bucket,
      aws_s3_bucket.this["output"].arn == local.arn.output_bucket, module.hls_packaging.mediaconvert_role_arn == local.arn.mediaconvert_role]
    ))
    error_message = "The role policies' ARNs differ from the resources': are the provider's account and region those of oidc_provider_arn and var.region?"
  }
}
