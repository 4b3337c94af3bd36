# A message in a DLQ means a job failed after every retry (the dead-letters hop records why): someone should
# look. One period of 5 minutes: dead letters are rare, and each one matters.
resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  for_each            = local.work_queues
  alarm_name          = "${each.value.dlq_name}-not-empty"
  alarm_description   = "Messages in ${each.value.dlq_name}: ${each.value.name} gave up on them after ${var.max_receive_count} deliveries. The copies are under dead-letters/${each.key}/ in ${local.buckets.output}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq[each.key].name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # An idle queue sends no data points: that is the good case.
  treat_missing_data = "notBreaching"
  alarm_actions      = var.alarm_actions
}
