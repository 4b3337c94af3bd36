# ReelRoute's AWS data plane: buckets, queues, tables, the EventBridge rules that feed the queues, alarms on the
# dead-letter queues, and one IAM role per Kubernetes role. Names derive from var.prefix exactly as
# io.reelroute.contract.ResourceNames derives them, so the application finds everything by its prefix alone.

terraform {
  # 1.7: mock_provider/override_resource in tests/*.tftest.hcl.
  required_version = ">= 1.7"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 6.0"
    }
  }
}

# The region comes from a variable (not the environment) so the same value lands in kustomize_env, and so
# `terraform validate` needs nothing set.
provider "aws" {
  region = var.region
  default_tags {
    tags = var.tags
  }
}
