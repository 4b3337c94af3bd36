# HLS packaging on AWS: the EventBridge rule that brings MediaConvert's job state changes of ReelRoute's jobs to
# the transcode-events queue (with the queue policy that lets EventBridge send), and the role MediaConvert
# assumes to read final.mp4 (or a source, for a pipeline whose MediaConvert job starts from it) and write the HLS
# package and MP4 renditions. Names derive from the prefix, as ResourceNames defines.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "prefix" {
  description = "reelroute.prefix: every resource name derives from it"
  type        = string
  default     = "reelroute"
}

variable "input_bucket_arn" {
  description = "ARN of the {prefix}-input bucket (sources, read by a pipeline's MediaConvert job such as renditions')"
  type        = string
}

variable "output_bucket_arn" {
  description = "ARN of the {prefix}-output bucket"
  type        = string
}

variable "transcode_events_queue_arn" {
  description = "ARN of the {prefix}-transcode-events queue"
  type        = string
}

variable "transcode_events_queue_url" {
  description = "URL of the {prefix}-transcode-events queue"
  type        = string
}

resource "aws_cloudwatch_event_rule" "mediaconvert_events" {
  name        = "${var.prefix}-mediaconvert-events"
  description = "MediaConvert job state changes of ReelRoute's jobs (job_id in userMetadata)"
  event_pattern = jsonencode({
    source        = ["aws.mediaconvert"]
    "detail-type" = ["MediaConvert Job State Change"]
    detail = {
      userMetadata = { job_id = [{ exists = true }] }
    }
  })
}

# The whole event is the message body: the transcode-events hop reads the envelope.
resource "aws_cloudwatch_event_target" "transcode_events_queue" {
  rule = aws_cloudwatch_event_rule.mediaconvert_events.name
  arn  = var.transcode_events_queue_arn
}

data "aws_iam_policy_document" "events_to_queue" {
  statement {
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [var.transcode_events_queue_arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.mediaconvert_events.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "transcode_events" {
  queue_url = var.transcode_events_queue_url
  policy    = data.aws_iam_policy_document.events_to_queue.json
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# MediaConvert may assume the role only for jobs of this account in this region (confused-deputy protection): no
# other account's MediaConvert job can write into the buckets with it. Built with jsonencode() so `terraform test`
# sees the real JSON.
locals {
  account_id = data.aws_caller_identity.current.account_id
  mediaconvert_trust = {
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "mediaconvert.amazonaws.com" }
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnLike      = { "aws:SourceArn" = "arn:${data.aws_partition.current.partition}:mediaconvert:${data.aws_region.current.name}:${local.account_id}:*" }
      }
    }]
  }
}

# Read only final.mp4 and the sources, write only under jobs/*/hls/ and jobs/*/renditions/.
data "aws_iam_policy_document" "mediaconvert_access" {
  statement {
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.output_bucket_arn}/jobs/*/final.mp4", "${var.input_bucket_arn}/input/*"]
  }
  statement {
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${var.output_bucket_arn}/jobs/*/hls/*", "${var.output_bucket_arn}/jobs/*/renditions/*"]
  }
}

resource "aws_iam_role" "mediaconvert" {
  name               = "${var.prefix}-mediaconvert"
  assume_role_policy = jsonencode(local.mediaconvert_trust)
}

resource "aws_iam_role_policy" "mediaconvert_access" {
  name   = "${var.prefix}-mediaconvert-output"
  role   = aws_iam_role.mediaconvert.id
  policy = data.aws_iam_policy_document.mediaconvert_access.json
}

output "mediaconvert_role_arn" {
  description = "reelroute.transcode.mediaconvert.role-arn"
  value       = aws_iam_role.mediaconvert.arn
}

output "mediaconvert_trust_policy" {
  description = "The MediaConvert role's trust policy (JSON)"
  value       = aws_iam_role.mediaconvert.assume_role_policy
}

output "mediaconvert_events_rule_arn" {
  value = aws_cloudwatch_event_rule.mediaconvert_events.arn
}
