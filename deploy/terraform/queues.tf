# The four work queues, each with its dead-letter queue. The keys are the short names the application uses
# (reelroute.queue-url.<key>, reelroute.sqs.visibility-timeout.<key>); every queue name is made here, once.

locals {
  # ResourceNames.queues() order.
  queue_keys = ["chunking", "video-worker", "reassembly", "transcode-events"]

  work_queues = {
    for key in local.queue_keys : key => {
      name       = "${var.prefix}-${key}"
      dlq_name   = "${var.prefix}-${key}-dlq"
      visibility = var.visibility_timeout_seconds[key]
    }
  }

  # All eight names, each work queue followed by its DLQ. Known without credentials (terraform console).
  queue_names = flatten([for key in local.queue_keys : [local.work_queues[key].name, local.work_queues[key].dlq_name]])

  # 14 days, SQS's maximum: time to look at a dead letter and re-drive its job.
  dlq_retention_seconds = 14 * 24 * 3600
}

resource "aws_sqs_queue" "dlq" {
  for_each                  = local.work_queues
  name                      = each.value.dlq_name
  message_retention_seconds = local.dlq_retention_seconds
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "work" {
  for_each                   = local.work_queues
  name                       = each.value.name
  visibility_timeout_seconds = each.value.visibility
  # Long polling: consumers wait up to 20 s per receive instead of spinning on empty answers.
  receive_wait_time_seconds = 20
  sqs_managed_sse_enabled   = true
  # After max_receive_count deliveries a message goes to the DLQ, where the dead-letters hop fails its job.
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[each.key].arn
    maxReceiveCount     = var.max_receive_count
  })
}

# A DLQ takes dead letters from its own work queue only.
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  for_each  = local.work_queues
  queue_url = aws_sqs_queue.dlq[each.key].url
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.work[each.key].arn]
  })
}
