# The data plane with a mock AWS provider: names, queue shapes, event routing, lifecycle, tables, alarms and,
# above all, what each role may do. Computed attributes (ARNs, URLs) get the values AWS would give them for
# account 111122223333 in us-east-1, so the policies can be checked against the resources they name.

mock_provider "aws" {
  # The hls-packaging module builds its policies with aws_iam_policy_document.
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
  # The hls-packaging module's MediaConvert trust policy names the account and region it runs in.
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "111122223333"
    }
  }
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }
}

variables {
  oidc_provider_arn = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
  oidc_issuer       = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
}

# --- what AWS would compute for prefix "reelroute" ---

override_resource {
  target = aws_sqs_queue.work["chunking"]
  values = {
    arn = "arn:aws:sqs:us-east-1:111122223333:reelroute-chunking"
    url = "https://sqs.us-east-1.amazonaws.com/111122223333/reelroute-chunking"
  }
}
override_resource {
  target = aws_sqs_queue.work["video-worker"]
  values = {
    arn = "arn:aws:sqs:us-east-1:111122223333:reelroute-video-worker"
    url = "https://sqs.us-east-1.amazonaws.com/111122223333/reelroute-video-worker"
  }
}
override_resource {
  target = aws_sqs_queue.work["reassembly"]
  values = {
    arn = "arn:aws:sqs:us-east-1:111122223333:reelroute-reassembly"
    url = "https://sqs.us-east-1.amazonaws.com/111122223333/reelroute-reassembly"
  }
}
override_resource {
  target = aws_sqs_queue.work["transcode-events"]
  values = {
    arn = "arn:aws:sqs:us-east-1:111122223333:reelroute-transcode-events"
    url = "https://sqs.us-east-1.amazonaws.com/111122223333/reelroute-transcode-events"
  }
}
override_resource {
  target = aws_sqs_queue.dlq["chunking"]
  values = {
    arn = "arn:aws:sqs:us-east-1:111122223333:reelroute-chunking-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/111122223333/reelroute-chunking-dlq"
  }
}
override_resource {
  target = aws_sqs_queue.dlq["video-worker"]
  values = {
    arn = "arn:aws:sqs:us-east-1:111122223333:reelroute-video-worker-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/111122223333/reelroute-video-worker-dlq"
  }
}
override_resource {
  target = aws_sqs_queue.dlq["reassembly"]
  values = {
    arn = "arn:aws:sqs:us-east-1:111122223333:reelroute-reassembly-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/111122223333/reelroute-reassembly-dlq"
  }
}
override_resource {
  target = aws_sqs_queue.dlq["transcode-events"]
  values = {
    arn = "arn:aws:sqs:us-east-1:111122223333:reelroute-transcode-events-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/111122223333/reelroute-transcode-events-dlq"
  }
}
override_resource {
  target = aws_s3_bucket.this["input"]
  values = {
    arn = "arn:aws:s3:::reelroute-input"
  }
}
override_resource {
  target = aws_s3_bucket.this["output"]
  values = {
    arn = "arn:aws:s3:::reelroute-output"
  }
}
override_resource {
  target = aws_dynamodb_table.jobs
  values = {
    arn = "arn:aws:dynamodb:us-east-1:111122223333:table/reelroute-jobs"
  }
}
override_resource {
  target = aws_dynamodb_table.segment_completions
  values = {
    arn = "arn:aws:dynamodb:us-east-1:111122223333:table/reelroute-segment-completions"
  }
}
override_resource {
  target = aws_dynamodb_table.reassembly_triggered
  values = {
    arn = "arn:aws:dynamodb:us-east-1:111122223333:table/reelroute-reassembly-triggered"
  }
}
override_resource {
  target = aws_cloudwatch_event_rule.input_objects["chunking"]
  values = {
    arn = "arn:aws:events:us-east-1:111122223333:rule/reelroute-input-created"
  }
}
override_resource {
  target = aws_cloudwatch_event_rule.input_objects["video-worker"]
  values = {
    arn = "arn:aws:events:us-east-1:111122223333:rule/reelroute-segment-created"
  }
}
override_resource {
  target = aws_iam_role.this["api"]
  values = {
    arn = "arn:aws:iam::111122223333:role/reelroute-api"
  }
}
override_resource {
  target = aws_iam_role.this["media"]
  values = {
    arn = "arn:aws:iam::111122223333:role/reelroute-media"
  }
}
override_resource {
  target = aws_iam_role.this["inference"]
  values = {
    arn = "arn:aws:iam::111122223333:role/reelroute-inference"
  }
}
override_resource {
  target = aws_iam_role.this["transcode"]
  values = {
    arn = "arn:aws:iam::111122223333:role/reelroute-transcode"
  }
}
override_resource {
  target = aws_iam_role.this["watchdog"]
  values = {
    arn = "arn:aws:iam::111122223333:role/reelroute-watchdog"
  }
}
override_resource {
  target = aws_iam_role.this["keda-scaler"]
  values = {
    arn = "arn:aws:iam::111122223333:role/reelroute-keda-scaler"
  }
}
override_resource {
  target = module.hls_packaging.aws_iam_role.mediaconvert
  values = {
    arn = "arn:aws:iam::111122223333:role/reelroute-mediaconvert"
  }
}
override_resource {
  target = module.hls_packaging.aws_cloudwatch_event_rule.mediaconvert_events
  values = {
    arn = "arn:aws:events:us-east-1:111122223333:rule/reelroute-mediaconvert-events"
  }
}

run "names_derive_from_the_prefix" {
  command = apply

  assert {
    condition     = output.input_bucket == "reelroute-input" && output.output_bucket == "reelroute-output"
    error_message = "buckets are {prefix}-input and {prefix}-output"
  }
  assert {
    condition = output.queue_names == [
      "reelroute-chunking", "reelroute-chunking-dlq", "reelroute-video-worker", "reelroute-video-worker-dlq",
      "reelroute-reassembly", "reelroute-reassembly-dlq", "reelroute-transcode-events", "reelroute-transcode-events-dlq",
    ]
    error_message = "queue names follow ResourceNames: each work queue and its -dlq"
  }
  assert {
    condition     = sort(concat([for q in aws_sqs_queue.work : q.name], [for q in aws_sqs_queue.dlq : q.name])) == sort(output.queue_names)
    error_message = "the queues created are the ones queue_names lists"
  }
  assert {
    condition = output.table_names == {
      jobs                 = "reelroute-jobs"
      segment_completions  = "reelroute-segment-completions"
      reassembly_triggered = "reelroute-reassembly-triggered"
    }
    error_message = "tables are {prefix}-jobs, -segment-completions, -reassembly-triggered"
  }
  assert {
    condition     = sort([for r in aws_iam_role.this : r.name]) == tolist(["reelroute-api", "reelroute-inference", "reelroute-keda-scaler", "reelroute-media", "reelroute-transcode", "reelroute-watchdog"])
    error_message = "exactly the five Kubernetes roles and the KEDA scaler role exist, named {prefix}-{role}"
  }
  assert {
    condition     = output.mediaconvert_role_arn == "arn:aws:iam::111122223333:role/reelroute-mediaconvert" && module.hls_packaging.mediaconvert_role_arn == output.mediaconvert_role_arn
    error_message = "the MediaConvert role comes from the hls-packaging module"
  }
  assert {
    condition     = output.queue_urls["chunking"] == "https://sqs.us-east-1.amazonaws.com/111122223333/reelroute-chunking" && output.queue_urls["transcode-events-dlq"] == "https://sqs.us-east-1.amazonaws.com/111122223333/reelroute-transcode-events-dlq" && length(output.queue_urls) == 8
    error_message = "queue_urls maps each of the eight queues' short names to its URL"
  }
}

run "every_work_queue_has_a_dlq_redrive" {
  command = apply

  assert {
    condition = alltrue([for key, q in aws_sqs_queue.work :
      jsondecode(q.redrive_policy).deadLetterTargetArn == aws_sqs_queue.dlq[key].arn && jsondecode(q.redrive_policy).maxReceiveCount == 5
    ])
    error_message = "each work queue redrives to its own DLQ after max_receive_count (5) deliveries"
  }
  assert {
    condition     = alltrue([for q in aws_sqs_queue.dlq : q.message_retention_seconds == 1209600 && q.sqs_managed_sse_enabled])
    error_message = "DLQs keep messages 14 days, encrypted"
  }
  assert {
    condition     = alltrue([for q in aws_sqs_queue.work : q.receive_wait_time_seconds == 20 && q.sqs_managed_sse_enabled])
    error_message = "work queues long-poll (20 s) and are encrypted"
  }
  assert {
    condition     = { for k, q in aws_sqs_queue.work : k => q.visibility_timeout_seconds } == { chunking = 120, "video-worker" = 300, reassembly = 300, "transcode-events" = 60 }
    error_message = "visibility timeouts default per queue"
  }
  assert {
    condition     = alltrue([for k, p in aws_sqs_queue_redrive_allow_policy.dlq : jsondecode(p.redrive_allow_policy).sourceQueueArns == [aws_sqs_queue.work[k].arn]])
    error_message = "each DLQ accepts dead letters from its own work queue only"
  }
}

run "max_receive_count_and_visibility_are_settable" {
  command = apply
  variables {
    max_receive_count          = 3
    visibility_timeout_seconds = { chunking = 600, "video-worker" = 900, reassembly = 600, "transcode-events" = 30 }
  }

  assert {
    condition     = alltrue([for q in aws_sqs_queue.work : jsondecode(q.redrive_policy).maxReceiveCount == 3])
    error_message = "max_receive_count reaches every redrive policy"
  }
  assert {
    condition     = strcontains(output.kustomize_env, "VISIBILITY_VIDEO_WORKER=900\n") && output.visibility_timeout_seconds["transcode-events"] == 30
    error_message = "visibility timeouts reach the queues and kustomize_env"
  }
}

run "s3_events_reach_the_right_queues_through_eventbridge" {
  command = apply

  assert {
    condition     = aws_s3_bucket_notification.input.eventbridge && length(aws_s3_bucket_notification.input.queue) == 0
    error_message = "the input bucket sends its events to EventBridge, with no S3 -> SQS filters"
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.input_objects["chunking"].event_pattern) == {
      source        = ["aws.s3"]
      "detail-type" = ["Object Created"]
      detail        = { bucket = { name = ["reelroute-input"] }, object = { key = [{ prefix = "input/" }] } }
    }
    error_message = "sources (input/) of the input bucket match the chunking rule"
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.input_objects["video-worker"].event_pattern) == {
      source        = ["aws.s3"]
      "detail-type" = ["Object Created"]
      detail        = { bucket = { name = ["reelroute-input"] }, object = { key = [{ prefix = "segments/" }] } }
    }
    error_message = "segments (segments/) of the input bucket match the video-worker rule"
  }
  assert {
    condition     = aws_cloudwatch_event_target.input_objects["chunking"].arn == aws_sqs_queue.work["chunking"].arn && aws_cloudwatch_event_target.input_objects["video-worker"].arn == aws_sqs_queue.work["video-worker"].arn
    error_message = "the rules target the chunking and video-worker queues"
  }
  assert {
    condition     = aws_cloudwatch_event_target.input_objects["chunking"].input == null && aws_cloudwatch_event_target.input_objects["chunking"].input_path == null && length(aws_cloudwatch_event_target.input_objects["chunking"].input_transformer) == 0
    error_message = "the whole event is the message body"
  }
  assert {
    condition = alltrue([for k, p in aws_sqs_queue_policy.input_objects :
      p.queue_url == aws_sqs_queue.work[k].url &&
      jsondecode(p.policy).Statement[0].Principal == { Service = "events.amazonaws.com" } &&
      jsondecode(p.policy).Statement[0].Action == "sqs:SendMessage" &&
      jsondecode(p.policy).Statement[0].Resource == aws_sqs_queue.work[k].arn &&
      jsondecode(p.policy).Statement[0].Condition.ArnEquals["aws:SourceArn"] == aws_cloudwatch_event_rule.input_objects[k].arn
    ])
    error_message = "each queue lets only its own rule send"
  }
  assert {
    condition     = sort(keys(aws_sqs_queue_policy.input_objects)) == tolist(["chunking", "video-worker"])
    error_message = "no second policy on transcode-events (the hls-packaging module owns it)"
  }
  assert {
    condition     = module.hls_packaging.mediaconvert_events_rule_arn == "arn:aws:events:us-east-1:111122223333:rule/reelroute-mediaconvert-events"
    error_message = "the MediaConvert events rule comes from the hls-packaging module"
  }
}

run "buckets_are_private_encrypted_and_expire_segments" {
  command = apply

  assert {
    condition = alltrue([for b in aws_s3_bucket_public_access_block.this :
    b.block_public_acls && b.block_public_policy && b.ignore_public_acls && b.restrict_public_buckets])
    error_message = "public access is blocked on both buckets"
  }
  assert {
    condition     = alltrue([for o in aws_s3_bucket_ownership_controls.this : one(o.rule).object_ownership == "BucketOwnerEnforced"])
    error_message = "ACLs are off on both buckets"
  }
  assert {
    condition     = alltrue([for e in aws_s3_bucket_server_side_encryption_configuration.this : one(one(e.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"])
    error_message = "SSE-S3 by default"
  }
  assert {
    condition = (
      one([for r in aws_s3_bucket_lifecycle_configuration.output.rule : r if r.id == "expire-segments"]).status == "Enabled" &&
      one(one([for r in aws_s3_bucket_lifecycle_configuration.output.rule : r if r.id == "expire-segments"]).expiration).days == 1 &&
      one(one(one([for r in aws_s3_bucket_lifecycle_configuration.output.rule : r if r.id == "expire-segments"]).filter).tag) == { key = "reelroute-lifecycle", value = "expire-segments" }
    )
    error_message = "output objects tagged reelroute-lifecycle=expire-segments expire after a day"
  }
  assert {
    condition = (
      { for r in aws_s3_bucket_lifecycle_configuration.input.rule : one(r.filter).prefix => one(r.expiration).days if length(r.expiration) > 0 } ==
      { "input/" = 7, "tracks/" = 7, "segments/" = 2 } &&
      one(one([for r in aws_s3_bucket_lifecycle_configuration.output.rule : r if r.id == "expire-dead-letters"]).expiration).days == 30 &&
      one(one([for r in aws_s3_bucket_lifecycle_configuration.output.rule : r if r.id == "expire-dead-letters"]).filter).prefix == "dead-letters/"
    )
    error_message = "sources and tracks expire after a week, segments after two days, dead-letter copies after 30 days"
  }
  assert {
    condition = alltrue([for lc in [aws_s3_bucket_lifecycle_configuration.input, aws_s3_bucket_lifecycle_configuration.output] :
      one(one([for r in lc.rule : r if r.id == "abort-incomplete-multipart-uploads"]).abort_incomplete_multipart_upload).days_after_initiation == 2
    ])
    error_message = "incomplete multipart uploads are aborted in both buckets"
  }
  assert {
    condition     = length(aws_s3_bucket_cors_configuration.input) == 0
    error_message = "no CORS rule unless upload origins are given"
  }
  assert {
    condition     = alltrue([for p in aws_s3_bucket_policy.tls_only : jsondecode(p.policy).Statement[0].Effect == "Deny" && jsondecode(p.policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false"])
    error_message = "requests without TLS are refused"
  }
}

run "browser_uploads_and_kms" {
  command = apply
  variables {
    upload_cors_origins = ["https://reelroute.example.com"]
    kms_key_arn         = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    segment_expiry_days = 3
  }

  assert {
    condition = (
      one(aws_s3_bucket_cors_configuration.input[0].cors_rule).allowed_methods == toset(["PUT"]) &&
      one(aws_s3_bucket_cors_configuration.input[0].cors_rule).allowed_headers == toset(["*"]) &&
      one(aws_s3_bucket_cors_configuration.input[0].cors_rule).expose_headers == toset(["ETag"]) &&
      one(aws_s3_bucket_cors_configuration.input[0].cors_rule).allowed_origins == toset(["https://reelroute.example.com"])
    )
    error_message = "the input bucket takes presigned PUTs (and parts, exposing ETag) from the web page's origin"
  }
  assert {
    condition = alltrue([for e in aws_s3_bucket_server_side_encryption_configuration.this :
      one(one(e.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms" &&
      one(one(e.rule).apply_server_side_encryption_by_default).kms_master_key_id == var.kms_key_arn
    ])
    error_message = "kms_key_arn switches both buckets to aws:kms"
  }
  assert {
    condition = alltrue([for role in ["api", "media", "inference", "transcode", "watchdog"] :
      anytrue([for s in jsondecode(aws_iam_role_policy.this[role].policy).Statement : contains(s.Action, "kms:GenerateDataKey") && s.Resource == [var.kms_key_arn]])
    ]) && length(aws_iam_role_policy.mediaconvert_kms) == 1
    error_message = "roles that read or write objects, and MediaConvert's, may use the bucket key"
  }
  assert {
    condition     = one(one([for r in aws_s3_bucket_lifecycle_configuration.output.rule : r if r.id == "expire-segments"]).expiration).days == 3
    error_message = "segment_expiry_days sets the expiry"
  }
}

run "tables_mirror_the_embedded_provisioner" {
  command = apply

  assert {
    condition = alltrue([for t in [aws_dynamodb_table.jobs, aws_dynamodb_table.segment_completions, aws_dynamodb_table.reassembly_triggered] :
    t.billing_mode == "PAY_PER_REQUEST" && one(t.point_in_time_recovery).enabled && one(t.server_side_encryption).enabled])
    error_message = "on-demand tables with point-in-time recovery and encryption"
  }
  assert {
    condition = (aws_dynamodb_table.jobs.hash_key == "job_id" && aws_dynamodb_table.jobs.range_key == null &&
      jsonencode({ for i in aws_dynamodb_table.jobs.global_secondary_index : i.name => [i.hash_key, i.range_key, i.projection_type] }) == jsonencode({
        "status-completed_at"         = ["status", "completed_at", "ALL"]
        "unfinished_owner-created_at" = ["unfinished_owner", "created_at", "ALL"]
        "watch-updated_at"            = ["watch", "updated_at", "ALL"]
      }) &&
      { for a in aws_dynamodb_table.jobs.attribute : a.name => a.type } == {
        job_id = "S", status = "S", completed_at = "N", unfinished_owner = "S", created_at = "N", watch = "S", updated_at = "N"
    })
    error_message = "Jobs: PK job_id; GSIs status-completed_at (status S, completed_at N), unfinished_owner-created_at (unfinished_owner S, created_at N), watch-updated_at (watch S, updated_at N), projection ALL"
  }
  assert {
    condition     = one(aws_dynamodb_table.jobs.ttl).enabled && one(aws_dynamodb_table.jobs.ttl).attribute_name == "expires_at"
    error_message = "Jobs: TTL on expires_at (a record goes reelroute.retention.job-records after its job ended or was deleted)"
  }
  assert {
    condition = (aws_dynamodb_table.segment_completions.hash_key == "job_id" && aws_dynamodb_table.segment_completions.range_key == "segment_index" &&
    { for a in aws_dynamodb_table.segment_completions.attribute : a.name => a.type } == { job_id = "S", segment_index = "N" })
    error_message = "SegmentCompletions: PK job_id, SK segment_index (N)"
  }
  assert {
    condition = (aws_dynamodb_table.reassembly_triggered.hash_key == "job_id" &&
    one(aws_dynamodb_table.reassembly_triggered.ttl).enabled && one(aws_dynamodb_table.reassembly_triggered.ttl).attribute_name == "ttl")
    error_message = "ReassemblyTriggered: PK job_id, TTL on ttl"
  }
  assert {
    condition     = length(aws_dynamodb_table.segment_completions.ttl) == 0
    error_message = "no TTL where the code writes none"
  }
}

run "one_alarm_per_dlq" {
  command = apply
  variables {
    alarm_actions = ["arn:aws:sns:us-east-1:111122223333:reelroute-alarms"]
  }

  assert {
    condition     = sort([for a in aws_cloudwatch_metric_alarm.dlq_not_empty : a.dimensions.QueueName]) == sort([for q in aws_sqs_queue.dlq : q.name])
    error_message = "one alarm per DLQ"
  }
  assert {
    condition = alltrue([for a in aws_cloudwatch_metric_alarm.dlq_not_empty :
      a.namespace == "AWS/SQS" && a.metric_name == "ApproximateNumberOfMessagesVisible" && a.period == 300 &&
      a.evaluation_periods == 1 && a.threshold == 0 && a.comparison_operator == "GreaterThanThreshold" &&
      a.alarm_actions == toset(["arn:aws:sns:us-east-1:111122223333:reelroute-alarms"])
    ])
    error_message = "an alarm fires on one 5-minute period with any visible message, notifying alarm_actions"
  }
}

run "roles_trust_their_service_accounts_only" {
  command = apply

  assert {
    condition = alltrue([for role, r in aws_iam_role.this :
      jsondecode(r.assume_role_policy).Statement[0].Principal.Federated == var.oidc_provider_arn &&
      jsondecode(r.assume_role_policy).Statement[0].Action == "sts:AssumeRoleWithWebIdentity" &&
      jsondecode(r.assume_role_policy).Statement[0].Condition.StringEquals["${var.oidc_issuer}:aud"] == "sts.amazonaws.com" &&
      jsondecode(r.assume_role_policy).Statement[0].Condition.StringEquals["${var.oidc_issuer}:sub"] == (
        role == "keda-scaler" ? "system:serviceaccount:keda:keda-operator" : "system:serviceaccount:reelroute:reelroute-${role}"
      )
    ])
    error_message = "each role is assumed by its own service account (reelroute-<role>; KEDA's operator) through the cluster's OIDC provider"
  }
  assert {
    condition     = output.role_arns == { for role in ["api", "media", "inference", "transcode", "watchdog"] : role => "arn:aws:iam::111122223333:role/reelroute-${role}" } && output.keda_scaler_role_arn == "arn:aws:iam::111122223333:role/reelroute-keda-scaler"
    error_message = "role ARNs are outputs"
  }
  assert {
    condition = (jsondecode(module.hls_packaging.mediaconvert_trust_policy).Statement[0].Condition == {
      StringEquals = { "aws:SourceAccount" = "111122223333" }
      ArnLike      = { "aws:SourceArn" = "arn:aws:mediaconvert:us-east-1:111122223333:*" }
    })
    error_message = "MediaConvert assumes its role only for jobs of the deploying account in its region (aws:SourceAccount, aws:SourceArn)"
  }
}

run "policies_are_least_privilege" {
  command = apply

  # No wildcard actions anywhere (resources may use key paths).
  assert {
    condition = alltrue(flatten([for role, p in aws_iam_role_policy.this : [
      for s in jsondecode(p.policy).Statement : [for a in s.Action : !strcontains(a, "*")]
    ]]))
    error_message = "no IAM statement has an action containing *"
  }
  assert {
    condition = alltrue(flatten([for role, p in aws_iam_role_policy.this : [
      for s in jsondecode(p.policy).Statement : s.Effect == "Allow" && length(s.Resource) > 0 && !contains(s.Resource, "*")
    ]]))
    error_message = "every statement names its resources"
  }
  # AwsResources looks up all eight queue URLs at start, in every process.
  assert {
    condition = alltrue([for role in ["api", "media", "inference", "transcode", "watchdog"] :
      length(setsubtract(
        concat([for q in aws_sqs_queue.work : q.arn], [for q in aws_sqs_queue.dlq : q.arn]),
        flatten([for s in jsondecode(aws_iam_role_policy.this[role].policy).Statement : s.Resource if contains(s.Action, "sqs:GetQueueUrl")])
      )) == 0
    ])
    error_message = "every role can GetQueueUrl all eight queues"
  }
  # AwsHealth: the readiness probes.
  assert {
    condition = alltrue([for role in ["api", "media", "inference", "transcode", "watchdog"] : (
      anytrue([for s in jsondecode(aws_iam_role_policy.this[role].policy).Statement : contains(s.Action, "dynamodb:DescribeTable") && contains(s.Resource, aws_dynamodb_table.jobs.arn)]) &&
      anytrue([for s in jsondecode(aws_iam_role_policy.this[role].policy).Statement : contains(s.Action, "sqs:GetQueueAttributes") && contains(s.Resource, aws_sqs_queue.work["chunking"].arn)]) &&
      anytrue([for s in jsondecode(aws_iam_role_policy.this[role].policy).Statement : contains(s.Action, "s3:ListBucket") && contains(s.Resource, aws_s3_bucket.this["input"].arn)])
    )])
    error_message = "every role can answer readiness: DescribeTable jobs, GetQueueAttributes chunking, HeadBucket input"
  }
  # Each queue is consumed by exactly the role that runs its consumer route.
  assert {
    condition = jsonencode({
      for q in concat(values(aws_sqs_queue.work), values(aws_sqs_queue.dlq)) : q.name => sort([
        for role, p in aws_iam_role_policy.this : role
        if anytrue([for s in jsondecode(p.policy).Statement : contains(s.Action, "sqs:ReceiveMessage") && contains(s.Resource, q.arn)])
      ])
      }) == jsonencode({
      "reelroute-chunking"             = ["media"]
      "reelroute-reassembly"           = ["media"]
      "reelroute-video-worker"         = ["inference"]
      "reelroute-transcode-events"     = ["transcode"]
      "reelroute-chunking-dlq"         = ["watchdog"]
      "reelroute-video-worker-dlq"     = ["watchdog"]
      "reelroute-reassembly-dlq"       = ["watchdog"]
      "reelroute-transcode-events-dlq" = ["watchdog"]
    })
    error_message = "each queue is received from only by its consumer's role"
  }
  # Visibility is extended only where extendMessageVisibility is on (not on the DLQ consumers).
  assert {
    condition = sort(distinct(flatten([for role, p in aws_iam_role_policy.this : [
      for s in jsondecode(p.policy).Statement : s.Resource if contains(s.Action, "sqs:ChangeMessageVisibility")
    ]]))) == sort([for q in aws_sqs_queue.work : q.arn])
    error_message = "ChangeMessageVisibility only on the work queues"
  }
  assert {
    condition     = [for role, p in aws_iam_role_policy.this : role if anytrue([for s in jsondecode(p.policy).Statement : contains(s.Action, "mediaconvert:CreateJob")])] == ["transcode"]
    error_message = "only transcode submits MediaConvert jobs"
  }
  assert {
    condition = [for role, p in aws_iam_role_policy.this : role if anytrue([for s in jsondecode(p.policy).Statement : contains(s.Action, "iam:PassRole")])] == ["transcode"] && anytrue([
      for s in jsondecode(aws_iam_role_policy.this["transcode"].policy).Statement :
      s.Resource == [module.hls_packaging.mediaconvert_role_arn] && s.Condition.StringEquals["iam:PassedToService"] == "mediaconvert.amazonaws.com"
      if contains(s.Action, "iam:PassRole")
    ])
    error_message = "only transcode passes a role: the MediaConvert role, to MediaConvert"
  }
  assert {
    condition     = sort([for role, p in aws_iam_role_policy.this : role if anytrue([for s in jsondecode(p.policy).Statement : contains(s.Action, "events:PutEvents")])]) == tolist(["inference", "media", "transcode", "watchdog"])
    error_message = "the roles running lifecycle-event may publish, api may not"
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.this["media"].policy).Statement : s.Resource == ["arn:aws:events:us-east-1:111122223333:event-bus/default"] if contains(s.Action, "events:PutEvents")])
    error_message = "lifecycle events go to the bus events_bus_name names"
  }
  # Writers of each place in the buckets.
  assert {
    condition = jsonencode({
      for place in ["input/*/source.mp4", "segments/*"] : place => sort([
        for role, p in aws_iam_role_policy.this : role
        if anytrue([for s in jsondecode(p.policy).Statement : contains(s.Action, "s3:PutObject") && contains(s.Resource, "${aws_s3_bucket.this["input"].arn}/${place}")])
      ])
    }) == jsonencode({ "input/*/source.mp4" = ["api"], "segments/*" = ["media"] })
    error_message = "sources are uploaded through the api (presigned), segments written by media (chunk)"
  }
  assert {
    condition = jsonencode({
      for place in ["jobs/*/segments/*", "jobs/*/final.mp4", "jobs/*/hls/*", "dead-letters/*"] : place => sort([
        for role, p in aws_iam_role_policy.this : role
        if anytrue([for s in jsondecode(p.policy).Statement : contains(s.Action, "s3:PutObject") && contains(s.Resource, "${aws_s3_bucket.this["output"].arn}/${place}")])
      ])
    }) == jsonencode({ "jobs/*/segments/*" = ["inference"], "jobs/*/final.mp4" = ["media"], "jobs/*/hls/*" = ["transcode"], "dead-letters/*" = ["watchdog"] })
    error_message = "segment outputs: inference; final.mp4: media; the local HLS package: transcode; dead-letter copies: watchdog"
  }
  assert {
    condition     = sort([for role, p in aws_iam_role_policy.this : role if anytrue([for s in jsondecode(p.policy).Statement : contains(s.Action, "s3:DeleteObject")])]) == tolist(["api", "watchdog"])
    error_message = "only api and watchdog delete objects (purging a deleted job, and finishing a purge cut short)"
  }
  assert {
    condition = alltrue([for role in ["api", "watchdog"] : sort(flatten([for s in jsondecode(aws_iam_role_policy.this[role].policy).Statement : s.Resource if contains(s.Action, "s3:DeleteObject")])) == sort([
      "${aws_s3_bucket.this["input"].arn}/input/*", "${aws_s3_bucket.this["input"].arn}/segments/*", "${aws_s3_bucket.this["input"].arn}/tracks/*",
      "${aws_s3_bucket.this["output"].arn}/jobs/*"
    ])])
    error_message = "a purge deletes under a job's prefixes only: input/, segments/, tracks/ and jobs/"
  }
  assert {
    condition = sort(distinct(flatten([for s in jsondecode(aws_iam_role_policy.this["transcode"].policy).Statement : s.Resource
      if anytrue([for a in s.Action : startswith(a, "s3:")])]))) == sort([aws_s3_bucket.this["input"].arn, aws_s3_bucket.this["output"].arn,
    "${aws_s3_bucket.this["output"].arn}/jobs/*/final.mp4", "${aws_s3_bucket.this["output"].arn}/jobs/*/hls/*"])
    error_message = "transcode touches only final.mp4 and the HLS package (local packaging), besides the readiness HeadBucket"
  }
  assert {
    condition = jsonencode({
      for role, p in aws_iam_role_policy.this : role => sort(distinct(flatten([for s in jsondecode(p.policy).Statement : s.Resource if contains(s.Action, "dynamodb:DeleteItem")])))
      if anytrue([for s in jsondecode(p.policy).Statement : contains(s.Action, "dynamodb:DeleteItem")])
    }) == jsonencode({ inference = [aws_dynamodb_table.reassembly_triggered.arn], media = [aws_dynamodb_table.reassembly_triggered.arn] })
    error_message = "items are deleted only from ReassemblyTriggered, by the roles running reassembly-check"
  }
  assert {
    condition     = sort([for role, p in aws_iam_role_policy.this : role if anytrue([for s in jsondecode(p.policy).Statement : contains(s.Action, "dynamodb:Scan")])]) == tolist(["watchdog"])
    error_message = "only the watchdog scans the Jobs table (once, to backfill the sparse indexes); listings query indexes"
  }
  assert {
    condition     = anytrue([for s in jsondecode(aws_iam_role_policy.this["api"].policy).Statement : contains(s.Action, "dynamodb:Query") && s.Resource == ["${aws_dynamodb_table.jobs.arn}/index/status-completed_at"]])
    error_message = "the completed-jobs listing queries the status-completed_at index"
  }
  assert {
    condition = jsonencode({
      for index in ["status-completed_at", "unfinished_owner-created_at", "watch-updated_at"] : index => sort([
        for role, p in aws_iam_role_policy.this : role
        if anytrue([for s in jsondecode(p.policy).Statement : contains(s.Action, "dynamodb:Query") && contains(s.Resource, "${aws_dynamodb_table.jobs.arn}/index/${index}")])
      ])
    }) == jsonencode({ "status-completed_at" = ["api"], "unfinished_owner-created_at" = ["api"], "watch-updated_at" = ["watchdog"] })
    error_message = "the listings (api) query the ended and unfinished indexes, the watchdog the watch index"
  }
  assert {
    condition     = anytrue([for s in jsondecode(aws_iam_role_policy.this["inference"].policy).Statement : contains(s.Action, "dynamodb:PutItem") && s.Resource == [aws_dynamodb_table.segment_completions.arn]])
    error_message = "inference records completions (the Put of the transaction)"
  }
  assert {
    condition     = sort([for role, p in aws_iam_role_policy.this : role if anytrue([for s in jsondecode(p.policy).Statement : contains(s.Action, "sqs:SendMessage")])]) == tolist(["api", "inference", "media", "transcode", "watchdog"])
    error_message = "every role but keda-scaler sends where a route or Redrive does"
  }
  assert {
    condition     = alltrue([for role in ["inference", "media", "watchdog"] : anytrue([for s in jsondecode(aws_iam_role_policy.this[role].policy).Statement : contains(s.Action, "sqs:SendMessage") && contains(s.Resource, aws_sqs_queue.work["transcode-events"].arn)])])
    error_message = "every role that fails jobs requests their failure events (and webhooks) on the transcode-events queue"
  }
  assert {
    condition = (jsondecode(aws_iam_role_policy.this["keda-scaler"].policy).Statement == [{
      Sid      = "ReadQueueDepths"
      Effect   = "Allow"
      Action   = ["sqs:GetQueueAttributes"]
      Resource = [for k in ["chunking", "video-worker", "reassembly", "transcode-events"] : aws_sqs_queue.work[k].arn]
    }])
    error_message = "the KEDA scaler may only read the work queues' attributes"
  }
  assert {
    condition     = !anytrue([for p in aws_iam_role_policy.this : anytrue([for s in jsondecode(p.policy).Statement : anytrue([for a in s.Action : startswith(a, "sagemaker:") || startswith(a, "lambda:")])])])
    error_message = "no SageMaker or Lambda permissions unless endpoints or functions are given"
  }
}

run "inference_backends_add_only_their_calls" {
  command = apply
  variables {
    inference_sagemaker_endpoint_arns = ["arn:aws:sagemaker:us-east-1:111122223333:endpoint/stereo-async"]
    inference_lambda_function_arns    = ["arn:aws:lambda:us-east-1:111122223333:function:stereo"]
  }

  assert {
    condition     = [for role, p in aws_iam_role_policy.this : role if anytrue([for s in jsondecode(p.policy).Statement : contains(s.Action, "sagemaker:InvokeEndpointAsync") || contains(s.Action, "lambda:InvokeFunction")])] == ["inference"]
    error_message = "only inference invokes the backends"
  }
  assert {
    condition = (
      anytrue([for s in jsondecode(aws_iam_role_policy.this["inference"].policy).Statement : s.Action == ["sagemaker:InvokeEndpointAsync"] && jsonencode(s.Resource) == jsonencode(var.inference_sagemaker_endpoint_arns)]) &&
      anytrue([for s in jsondecode(aws_iam_role_policy.this["inference"].policy).Statement : s.Action == ["lambda:InvokeFunction"] && jsonencode(s.Resource) == jsonencode(var.inference_lambda_function_arns)])
    )
    error_message = "the given endpoints and functions, nothing else"
  }
  assert {
    condition     = anytrue([for s in jsondecode(aws_iam_role_policy.this["inference"].policy).Statement : contains(s.Action, "s3:PutObject") && s.Resource == ["${aws_s3_bucket.this["output"].arn}/inference-requests/*"]])
    error_message = "sagemaker-async stages its requests under inference-requests/ in the output bucket"
  }
  assert {
    condition     = anytrue([for s in jsondecode(aws_iam_role_policy.this["inference"].policy).Statement : contains(s.Action, "s3:GetObject") && s.Resource == ["${aws_s3_bucket.this["output"].arn}/inference-results/*"]])
    error_message = "sagemaker-async reads the endpoint's results under inference-results/"
  }
  assert {
    condition = alltrue(flatten([for role, p in aws_iam_role_policy.this : [
      for s in jsondecode(p.policy).Statement : [for a in s.Action : !strcontains(a, "*")]
    ]]))
    error_message = "still no wildcard actions"
  }
}

run "kustomize_env_has_every_key" {
  command = apply

  assert {
    condition = [for line in compact(split("\n", output.kustomize_env)) : split("=", line)[0]] == [
      "AWS_REGION", "REELROUTE_PREFIX", "API_ROLE_ARN", "MEDIA_ROLE_ARN", "INFERENCE_ROLE_ARN", "TRANSCODE_ROLE_ARN",
      "WATCHDOG_ROLE_ARN", "KEDA_SCALER_ROLE_ARN", "MEDIACONVERT_ROLE_ARN", "CHUNKING_QUEUE_URL", "VIDEO_WORKER_QUEUE_URL",
      "REASSEMBLY_QUEUE_URL", "TRANSCODE_EVENTS_QUEUE_URL", "VISIBILITY_CHUNKING", "VISIBILITY_VIDEO_WORKER",
      "VISIBILITY_REASSEMBLY", "VISIBILITY_TRANSCODE_EVENTS",
    ]
    error_message = "kustomize_env has exactly the keys the overlay reads, one KEY=value per line"
  }
  assert {
    condition = alltrue([for line in [
      "AWS_REGION=us-east-1", "REELROUTE_PREFIX=reelroute",
      "MEDIA_ROLE_ARN=arn:aws:iam::111122223333:role/reelroute-media",
      "KEDA_SCALER_ROLE_ARN=arn:aws:iam::111122223333:role/reelroute-keda-scaler",
      "MEDIACONVERT_ROLE_ARN=arn:aws:iam::111122223333:role/reelroute-mediaconvert",
      "TRANSCODE_EVENTS_QUEUE_URL=https://sqs.us-east-1.amazonaws.com/111122223333/reelroute-transcode-events",
      "VISIBILITY_CHUNKING=120", "VISIBILITY_VIDEO_WORKER=300", "VISIBILITY_REASSEMBLY=300", "VISIBILITY_TRANSCODE_EVENTS=60",
    ] : contains(split("\n", output.kustomize_env), line)])
    error_message = "kustomize_env carries the values"
  }
  assert {
    condition     = endswith(output.kustomize_env, "\n") && !strcontains(output.kustomize_env, " ")
    error_message = "an env file: newline-terminated lines, no spaces"
  }
}

run "another_prefix_renames_everything" {
  command = plan
  variables {
    prefix          = "acme-video"
    namespace       = "video"
    events_bus_name = "media-events"
  }
  # The file's overrides hold the ARNs of prefix "reelroute", so the check that compares the policies' ARNs
  # with the resources' must notice.
  expect_failures = [check.policy_arns_match_resources]

  assert {
    condition = (aws_s3_bucket.this["input"].bucket == "acme-video-input" && aws_s3_bucket.this["output"].bucket == "acme-video-output" &&
      sort([for q in aws_sqs_queue.work : q.name]) == tolist(["acme-video-chunking", "acme-video-reassembly", "acme-video-transcode-events", "acme-video-video-worker"]) &&
      sort([for q in aws_sqs_queue.dlq : q.name]) == tolist(["acme-video-chunking-dlq", "acme-video-reassembly-dlq", "acme-video-transcode-events-dlq", "acme-video-video-worker-dlq"]) &&
      aws_dynamodb_table.jobs.name == "acme-video-jobs" && aws_dynamodb_table.reassembly_triggered.name == "acme-video-reassembly-triggered" &&
      aws_dynamodb_table.segment_completions.name == "acme-video-segment-completions" &&
    aws_cloudwatch_event_rule.input_objects["chunking"].name == "acme-video-input-created")
    error_message = "every name follows the prefix"
  }
  assert {
    condition     = sort([for r in aws_iam_role.this : r.name]) == tolist(["acme-video-api", "acme-video-inference", "acme-video-keda-scaler", "acme-video-media", "acme-video-transcode", "acme-video-watchdog"])
    error_message = "role names follow the prefix"
  }
  assert {
    condition     = jsondecode(aws_iam_role.this["api"].assume_role_policy).Statement[0].Condition.StringEquals["${var.oidc_issuer}:sub"] == "system:serviceaccount:video:reelroute-api"
    error_message = "the trusted service account is in var.namespace"
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.input_objects["video-worker"].event_pattern).detail.bucket.name == ["acme-video-input"]
    error_message = "the rules match the renamed input bucket"
  }
  assert {
    condition     = anytrue([for s in jsondecode(aws_iam_role_policy.this["media"].policy).Statement : contains(s.Action, "s3:PutObject") && contains(s.Resource, "arn:aws:s3:::acme-video-input/segments/*")])
    error_message = "policies name the renamed resources"
  }
  assert {
    condition     = anytrue([for s in jsondecode(aws_iam_role_policy.this["watchdog"].policy).Statement : s.Resource == ["arn:aws:events:us-east-1:111122223333:event-bus/media-events"] if contains(s.Action, "events:PutEvents")])
    error_message = "lifecycle events go to events_bus_name"
  }
  assert {
    condition     = one(one(one([for r in aws_s3_bucket_lifecycle_configuration.output.rule : r if r.id == "expire-segments"]).filter).tag).key == "acme-video-lifecycle"
    error_message = "the lifecycle tag key follows the prefix"
  }
}

run "a_prefix_resource_names_refuse_is_rejected" {
  command = plan
  variables {
    prefix = "Bad_Prefix"
  }
  expect_failures = [var.prefix]
}

run "oidc_issuer_without_scheme" {
  command = plan
  variables {
    oidc_issuer = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"
  }
  expect_failures = [var.oidc_issuer]
}
