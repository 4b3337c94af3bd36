output "region" {
  description = "AWS region of the data plane (reelroute.aws.region)."
  value       = var.region
}

output "input_bucket" {
  description = "Name of the input bucket ({prefix}-input): sources under input/, segments under segments/."
  value       = aws_s3_bucket.this["input"].bucket
}

output "output_bucket" {
  description = "Name of the output bucket ({prefix}-output): jobs/{job_id}/... and dead-letters/."
  value       = aws_s3_bucket.this["output"].bucket
}

output "queue_urls" {
  description = "URL of every queue by its short name: chunking, video-worker, reassembly, transcode-events and each <name>-dlq (reelroute.queue-url.<name>)."
  value = merge(
    { for key, q in aws_sqs_queue.work : key => q.url },
    { for key, q in aws_sqs_queue.dlq : "${key}-dlq" => q.url }
  )
}

output "queue_names" {
  description = "The eight queue names, each work queue followed by its DLQ (ResourceNames.queues() and their DLQs)."
  value       = local.queue_names
}

output "visibility_timeout_seconds" {
  description = "Visibility timeout of each work queue, in seconds (reelroute.sqs.visibility-timeout.<queue>)."
  value       = { for key, q in aws_sqs_queue.work : key => q.visibility_timeout_seconds }
}

output "table_names" {
  description = "DynamoDB table names: jobs, segment_completions, reassembly_triggered."
  value = {
    jobs                 = aws_dynamodb_table.jobs.name
    segment_completions  = aws_dynamodb_table.segment_completions.name
    reassembly_triggered = aws_dynamodb_table.reassembly_triggered.name
  }
}

output "role_arns" {
  description = "IAM role ARN of each Kubernetes role (api, media, inference, transcode, watchdog), for the eks.amazonaws.com/role-arn annotation of service account reelroute-<role>."
  value       = { for role, r in aws_iam_role.this : role => r.arn if role != "keda-scaler" }
}

output "keda_scaler_role_arn" {
  description = "IAM role ARN for KEDA's TriggerAuthentication (podIdentity.provider: aws, roleArn): sqs:GetQueueAttributes on the work queues."
  value       = aws_iam_role.this["keda-scaler"].arn
}

output "mediaconvert_role_arn" {
  description = "IAM role MediaConvert assumes for HLS packaging (reelroute.transcode.mediaconvert.role-arn)."
  value       = module.hls_packaging.mediaconvert_role_arn
}

output "kustomize_env" {
  description = "KEY=value lines for the Kubernetes overlay: terraform output -raw kustomize_env > k8s/overlays/prod/aws.env"
  value = join("", [for line in [
    "AWS_REGION=${var.region}",
    "REELROUTE_PREFIX=${var.prefix}",
    "API_ROLE_ARN=${aws_iam_role.this["api"].arn}",
    "MEDIA_ROLE_ARN=${aws_iam_role.this["media"].arn}",
    "INFERENCE_ROLE_ARN=${aws_iam_role.this["inference"].arn}",
    "TRANSCODE_ROLE_ARN=${aws_iam_role.this["transcode"].arn}",
    "WATCHDOG_ROLE_ARN=${aws_iam_role.this["watchdog"].arn}",
    "KEDA_SCALER_ROLE_ARN=${aws_iam_role.this["keda-scaler"].arn}",
    "MEDIACONVERT_ROLE_ARN=${module.hls_packaging.mediaconvert_role_arn}",
    "CHUNKING_QUEUE_URL=${aws_sqs_queue.work["chunking"].url}",
    "VIDEO_WORKER_QUEUE_URL=${aws_sqs_queue.work["video-worker"].url}",
    "REASSEMBLY_QUEUE_URL=${aws_sqs_queue.work["reassembly"].url}",
    "TRANSCODE_EVENTS_QUEUE_URL=${aws_sqs_queue.work["transcode-events"].url}",
    "VISIBILITY_CHUNKING=${aws_sqs_queue.work["chunking"].visibility_timeout_seconds}",
    "VISIBILITY_VIDEO_WORKER=${aws_sqs_queue.work["video-worker"].visibility_timeout_seconds}",
    "VISIBILITY_REASSEMBLY=${aws_sqs_queue.work["reassembly"].visibility_timeout_seconds}",
    "VISIBILITY_TRANSCODE_EVENTS=${aws_sqs_queue.work["transcode-events"].visibility_timeout_seconds}",
  ] : "${line}\n"])
}
