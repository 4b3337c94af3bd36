mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
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
  mock_resource "aws_cloudwatch_event_rule" {
    defaults = {
      arn = "arn:aws:events:us-east-1:111122223333:rule/reelroute-mediaconvert-events"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/reelroute-mediaconvert"
    }
  }
}

variables {
  input_bucket_arn           = "arn:aws:s3:::reelroute-input"
  output_bucket_arn          = "arn:aws:s3:::reelroute-output"
  transcode_events_queue_arn = "arn:aws:sqs:us-east-1:111122223333:reelroute-transcode-events"
  transcode_events_queue_url = "https://sqs.us-east-1.amazonaws.com/111122223333/reelroute-transcode-events"
}

run "routes_only_reelroute_mediaconvert_events_to_the_queue" {
  command = apply

  assert {
    condition     = aws_cloudwatch_event_rule.mediaconvert_events.name == "reelroute-mediaconvert-events"
    error_message = "the rule name derives from the prefix"
  }
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.mediaconvert_events.event_pattern) == {
      source        = ["aws.mediaconvert"]
      "detail-type" = ["MediaConvert Job State Change"]
      detail        = { userMetadata = { job_id = [{ exists = true }] } }
    }
    error_message = "the rule matches MediaConvert job state changes that carry a job_id"
  }
  assert {
    condition     = aws_cloudwatch_event_target.transcode_events_queue.arn == var.transcode_events_queue_arn
    error_message = "the target is the transcode-events queue"
  }
  assert {
    condition     = aws_iam_role.mediaconvert.name == "reelroute-mediaconvert"
    error_message = "the MediaConvert role name derives from the prefix"
  }
  assert {
    condition = jsondecode(aws_iam_role.mediaconvert.assume_role_policy).Statement == [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "mediaconvert.amazonaws.com" }
      Condition = {
        StringEquals = { "aws:SourceAccount" = "111122223333" }
        ArnLike      = { "aws:SourceArn" = "arn:aws:mediaconvert:us-east-1:111122223333:*" }
      }
    }]
    error_message = "MediaConvert may assume the role only for jobs of this account and region (confused deputy)"
  }
  assert {
    condition     = output.mediaconvert_role_arn == "arn:aws:iam::111122223333:role/reelroute-mediaconvert"
    error_message = "the role ARN is an output, for reelroute.transcode.mediaconvert.role-arn"
  }
}

run "the_prefix_renames_everything" {
  command = apply
  variables {
    prefix = "acme"
  }

  assert {
    condition     = aws_cloudwatch_event_rule.mediaconvert_events.name == "acme-mediaconvert-events" && aws_iam_role.mediaconvert.name == "acme-mediaconvert"
    error_message = "names follow the prefix"
  }
}
