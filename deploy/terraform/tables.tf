# The three tables, as EmbeddedResourceProvisioner creates them (io.reelroute.contract.Tables names the
# attributes). On-demand capacity: load follows uploads, which come in bursts.

locals {
  tables = {
    jobs                 = "${var.prefix}-jobs"
    segment_completions  = "${var.prefix}-segment-completions"
    reassembly_triggered = "${var.prefix}-reassembly-triggered"
    jobs_index           = "status-completed_at"
    unfinished_index     = "unfinished_owner-created_at"
    watch_index          = "watch-updated_at"
    jobs_ttl_attr        = "expires_at"
    reassembly_ttl_attr  = "ttl"
  }
}

# Jobs (and the watchdog lease, under lease#<name> keys). status-completed_at lists an owner's ended jobs newest
# first. The other two are sparse: only items with their partition key attribute are in them, and JobStore sets it
# only while a job needs it, so their reads cost what is at work, not the table's history.
#   unfinished_owner-created_at: an owner's unfinished jobs (api: the in-progress listing and count);
#   watch-updated_at: what the watchdog may act on (unfinished, packaging or a webhook pending, a purge pending),
#   in a few shards of `watch` so its writes spread, by updated_at.
# A record expires (TTL on expires_at) reelroute.retention.job-records after its job ended or was deleted.
resource "aws_dynamodb_table" "jobs" {
  name                        = local.tables.jobs
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "job_id"
  deletion_protection_enabled = var.table_deletion_protection

  attribute {
    name = "job_id"
    type = "S"
  }
  attribute {
    name = "status"
    type = "S"
  }
  attribute {
    name = "completed_at"
    type = "N"
  }
  attribute {
    name = "unfinished_owner"
    type = "S"
  }
  attribute {
    name = "created_at"
    type = "N"
  }
  attribute {
    name = "watch"
    type = "S"
  }
  attribute {
    name = "updated_at"
    type = "N"
  }

  global_secondary_index {
    name            = local.tables.jobs_index
    hash_key        = "status"
    range_key       = "completed_at"
    projection_type = "ALL"
  }
  global_secondary_index {
    name            = local.tables.unfinished_index
    hash_key        = "unfinished_owner"
    range_key       = "created_at"
    projection_type = "ALL"
  }
  global_secondary_index {
    name            = local.tables.watch_index
    hash_key        = "watch"
    range_key       = "updated_at"
    projection_type = "ALL"
  }

  ttl {
    attribute_name = local.tables.jobs_ttl_attr
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }
  server_side_encryption {
    enabled = true
  }
}

# One item per finished segment: a redelivered completion finds its item and is not counted twice.
resource "aws_dynamodb_table" "segment_completions" {
  name                        = local.tables.segment_completions
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "job_id"
  range_key                   = "segment_index"
  deletion_protection_enabled = var.table_deletion_protection

  attribute {
    name = "job_id"
    type = "S"
  }
  attribute {
    name = "segment_index"
    type = "N"
  }

  point_in_time_recovery {
    enabled = true
  }
  server_side_encryption {
    enabled = true
  }
}

# The Idempotent Consumer's claims that trigger reassembly once per job; they matter only for a while, so
# DynamoDB removes them once their ttl (epoch seconds, reelroute.reassembly.trigger-ttl) has passed.
resource "aws_dynamodb_table" "reassembly_triggered" {
  name                        = local.tables.reassembly_triggered
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "job_id"
  deletion_protection_enabled = var.table_deletion_protection

  attribute {
    name = "job_id"
    type = "S"
  }

  ttl {
    attribute_name = local.tables.reassembly_ttl_attr
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }
  server_side_encryption {
    enabled = true
  }
}
