# The three tables, as EmbeddedResourceProvisioner creates them (io.reelroute.contract.Tables names the
# attributes). On-demand capacity: load follows uploads, which come in bursts.

locals {
  tables = {
    jobs                 = "${var.prefix}-jobs"
    segment_completions  = "${var.prefix}-segment-completions"
    reassembly_triggered = "${var.prefix}-reassembly-triggered"
    jobs_index           = "status-completed_at"
    reassembly_ttl_attr  = "ttl"
  }
}

# Jobs (and the watchdog lease, under lease#<name> keys). The index lists an owner's completed jobs newest first.
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

  global_secondary_index {
    name            = local.tables.jobs_index
    hash_key        = "status"
    range_key       = "completed_at"
    projection_type = "ALL"
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
