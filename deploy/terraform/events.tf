# S3 "Object Created" events of the input bucket, on the default bus, routed by key prefix: a source under
# input/ starts a job (chunking queue), a segment under segments/ goes to inference (video-worker queue).
# The whole event is the message body; InboundMessages reads EventBridge envelopes.

locals {
  input_object_routes = {
    chunking = {
      rule       = "${var.prefix}-input-created"
      key_prefix = "input/"
    }
    "video-worker" = {
      rule       = "${var.prefix}-segment-created"
      key_prefix = "segments/"
    }
  }
  # From names, not resource attributes, so they are known before apply (DeploymentRolesIT provisions its
  # emulator with these very patterns).
  input_object_patterns = { for key, route in local.input_object_routes : key => jsonencode({
    source        = ["aws.s3"]
    "detail-type" = ["Object Created"]
    detail = {
      bucket = { name = [local.buckets.input] }
      object = { key = [{ prefix = route.key_prefix }] }
    }
  }) }
}

resource "aws_cloudwatch_event_rule" "input_objects" {
  for_each      = local.input_object_routes
  name          = each.value.rule
  description   = "Objects created under ${each.value.key_prefix} in ${aws_s3_bucket.this["input"].bucket} to ${local.work_queues[each.key].name}"
  event_pattern = local.input_object_patterns[each.key]
}

resource "aws_cloudwatch_event_target" "input_objects" {
  for_each = local.input_object_routes
  rule     = aws_cloudwatch_event_rule.input_objects[each.key].name
  arn      = aws_sqs_queue.work[each.key].arn
}

# Only its own rule may send to each queue. (transcode-events' policy comes from the hls-packaging module.)
resource "aws_sqs_queue_policy" "input_objects" {
  for_each  = local.input_object_routes
  queue_url = aws_sqs_queue.work[each.key].url
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EventBridgeRule"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.work[each.key].arn
      Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.input_objects[each.key].arn } }
    }]
  })
}

# HLS packaging: MediaConvert job state changes to the transcode-events queue, and the MediaConvert role.
module "hls_packaging" {
  source                     = "./hls-packaging"
  prefix                     = var.prefix
  input_bucket_arn           = aws_s3_bucket.this["input"].arn
  output_bucket_arn          = aws_s3_bucket.this["output"].arn
  transcode_events_queue_arn = aws_sqs_queue.work["transcode-events"].arn
  transcode_events_queue_url = aws_sqs_queue.work["transcode-events"].url
}
