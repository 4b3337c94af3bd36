# The two buckets. Input: sources (input/{job_id}/source.mp4), uploaded by browsers through presigned URLs, and
# segments (segments/...) and each source's audio, subtitles and chapters for the join (tracks/{job_id}/tracks.mkv),
# uploaded by the chunk hop. Output: segment outputs, final.mp4, the HLS package
# and dead-letter copies, under jobs/ and dead-letters/.

locals {
  buckets = {
    input  = "${var.prefix}-input"
    output = "${var.prefix}-output"
  }
  # The tag InferenceWork and SagemakerAsyncInference put on segment outputs and staged requests.
  lifecycle_tag = {
    key   = "${var.prefix}-lifecycle"
    value = "expire-segments"
  }
}

resource "aws_s3_bucket" "this" {
  for_each = local.buckets
  bucket   = each.value
}

# ACLs off: the account owns every object, whoever uploaded it (presigned browser uploads included).
resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Nothing is public: playback goes through the API (/media) and presigned URLs.
resource "aws_s3_bucket_public_access_block" "this" {
  for_each                = aws_s3_bucket.this
  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    # Bucket keys cut KMS requests (and cost) per object; ignored with SSE-S3.
    bucket_key_enabled = var.kms_key_arn != null
  }
}

# Requests without TLS are refused, presigned ones included.
resource "aws_s3_bucket_policy" "tls_only" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [each.value.arn, "${each.value.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  # The public access block must exist first, or S3 may evaluate this policy against the account default.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

# Object-created events go to EventBridge (events.tf routes them to the queues). No S3 -> SQS notifications:
# two prefixes to two queues would be overlapping-filter bookkeeping, and EventBridge can fan out later.
resource "aws_s3_bucket_notification" "input" {
  bucket      = aws_s3_bucket.this["input"].id
  eventbridge = true
}

# Browsers upload sources straight to the input bucket: a presigned PUT, or presigned multipart part PUTs (whose
# ETag headers a client may read to list its parts when it completes the upload).
resource "aws_s3_bucket_cors_configuration" "input" {
  count  = length(var.upload_cors_origins) > 0 ? 1 : 0
  bucket = aws_s3_bucket.this["input"].id
  cors_rule {
    allowed_methods = ["PUT"]
    allowed_origins = var.upload_cors_origins
    allowed_headers = ["*"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3600
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "input" {
  bucket = aws_s3_bucket.this["input"].id

  # Retention (reelroute.retention.* on the embedded default): sources and their kept tracks are needed while a job
  # runs and may be retried; segments only until their outputs are joined.
  dynamic "rule" {
    for_each = {
      "expire-sources"  = { prefix = "input/", days = var.source_retention_days }
      "expire-tracks"   = { prefix = "tracks/", days = var.source_retention_days }
      "expire-segments" = { prefix = "segments/", days = var.segment_retention_days }
    }
    content {
      id     = rule.key
      status = "Enabled"
      filter {
        prefix = rule.value.prefix
      }
      expiration {
        days = rule.value.days
      }
    }
  }

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_days
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "output" {
  bucket = aws_s3_bucket.this["output"].id

  # Segment outputs are only needed until reassembly has joined them into final.mp4.
  rule {
    id     = "expire-segments"
    status = "Enabled"
    filter {
      tag {
        key   = local.lifecycle_tag.key
        value = local.lifecycle_tag.value
      }
    }
    expiration {
      days = var.segment_expiry_days
    }
  }

  # Copies of dead-lettered messages, for an operator to read and redrive.
  rule {
    id     = "expire-dead-letters"
    status = "Enabled"
    filter {
      prefix = "dead-letters/"
    }
    expiration {
      days = var.dead_letter_retention_days
    }
  }

  # SageMaker's response and error documents are read once, by the inference hop that waits for them.
  rule {
    id     = "expire-inference-results"
    status = "Enabled"
    filter {
      prefix = var.inference_result_prefix
    }
    expiration {
      days = var.segment_expiry_days
    }
  }

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_days
    }
  }
}
