variable "prefix" {
  description = "reelroute.prefix: every resource name derives from it (ResourceNames.fromPrefix). 1 to 41 lowercase letters, digits or hyphens, starting with a letter or digit."
  type        = string
  default     = "reelroute"

  # The same rule as ResourceNames: then every derived name is a valid bucket, queue (with -dlq) and table name.
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,40}$", var.prefix))
    error_message = "prefix must be 1 to 41 lowercase letters, digits or hyphens, starting with a letter or digit."
  }
  validation {
    condition     = !anytrue([for reserved in ["xn--", "sthree-", "amzn-s3-demo-"] : startswith(var.prefix, reserved)])
    error_message = "prefix must not start with a prefix S3 reserves for bucket names (xn--, sthree-, amzn-s3-demo-)."
  }
}

variable "region" {
  description = "AWS region of the data plane (reelroute.aws.region; AWS_REGION in kustomize_env)."
  type        = string
  default     = "us-east-1"
}

variable "tags" {
  description = "Tags added to every resource (provider default_tags)."
  type        = map(string)
  default     = {}
}

# --- Kubernetes identity (IRSA) ---

variable "oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider (arn:aws:iam::<account>:oidc-provider/<issuer>). No default: a role trusting the wrong cluster would be a silent hole, so it must be given. The roles are created in its account, and the policies' ARNs use its account and partition."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/.+$", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be an IAM OIDC provider ARN, arn:aws:iam::<12-digit account>:oidc-provider/<issuer>."
  }
}

variable "oidc_issuer" {
  description = "The cluster's OIDC issuer without https:// (oidc.eks.<region>.amazonaws.com/id/<id>), the prefix of the :sub and :aud condition keys. No default, for the same reason as oidc_provider_arn."
  type        = string

  validation {
    condition     = length(var.oidc_issuer) > 0 && !startswith(var.oidc_issuer, "https://") && !endswith(var.oidc_issuer, "/")
    error_message = "oidc_issuer is the issuer URL without https:// and without a trailing slash."
  }
}

variable "namespace" {
  description = "Kubernetes namespace of ReelRoute's service accounts (reelroute-api, reelroute-media, reelroute-inference, reelroute-transcode, reelroute-watchdog)."
  type        = string
  default     = "reelroute"
}

variable "keda_namespace" {
  description = "Namespace of the KEDA operator, whose service account assumes the keda-scaler role (TriggerAuthentication podIdentity.provider: aws)."
  type        = string
  default     = "keda"
}

variable "keda_service_account" {
  description = "Service account of the KEDA operator."
  type        = string
  default     = "keda-operator"
}

# --- Storage ---

variable "kms_key_arn" {
  description = "Customer-managed KMS key for both buckets (aws:kms with bucket keys). Null: SSE-S3. When set, the roles that read or write objects (and the MediaConvert role) may use the key."
  type        = string
  default     = null
}

variable "upload_cors_origins" {
  description = "Origins of the web page that uploads sources with presigned PUT (single and multipart) straight to the input bucket, e.g. [\"https://reelroute.example.com\"]. Empty: no CORS rule, so browsers can't upload."
  type        = list(string)
  default     = []
}

variable "segment_expiry_days" {
  description = "Days after which output objects tagged {prefix}-lifecycle=expire-segments (segment outputs, staged inference requests) expire. final.mp4 and the HLS package are never tagged."
  type        = number
  default     = 1

  validation {
    condition     = var.segment_expiry_days >= 1 && floor(var.segment_expiry_days) == var.segment_expiry_days
    error_message = "segment_expiry_days must be a whole number of days, at least 1."
  }
}

variable "source_retention_days" {
  description = "Days after upload after which sources (input/) and their kept tracks (tracks/) expire (reelroute.retention.sources on the embedded default). Keep it above the longest a job may run and be retried."
  type        = number
  default     = 7

  validation {
    condition     = var.source_retention_days >= 1 && floor(var.source_retention_days) == var.source_retention_days
    error_message = "source_retention_days must be a whole number of days, at least 1."
  }
}

variable "segment_retention_days" {
  description = "Days after upload after which segments (segments/ of the input bucket) expire (reelroute.retention.segments)."
  type        = number
  default     = 2

  validation {
    condition     = var.segment_retention_days >= 1 && floor(var.segment_retention_days) == var.segment_retention_days
    error_message = "segment_retention_days must be a whole number of days, at least 1."
  }
}

variable "dead_letter_retention_days" {
  description = "Days after which copies of dead-lettered messages (dead-letters/ of the output bucket) expire (reelroute.retention.dead-letters)."
  type        = number
  default     = 30

  validation {
    condition     = var.dead_letter_retention_days >= 1 && floor(var.dead_letter_retention_days) == var.dead_letter_retention_days
    error_message = "dead_letter_retention_days must be a whole number of days, at least 1."
  }
}

variable "abort_incomplete_multipart_days" {
  description = "Days after which an unfinished multipart upload (an abandoned browser upload, a reassembly that died) is aborted, in both buckets, so its parts stop costing storage."
  type        = number
  default     = 2

  validation {
    condition     = var.abort_incomplete_multipart_days >= 1 && floor(var.abort_incomplete_multipart_days) == var.abort_incomplete_multipart_days
    error_message = "abort_incomplete_multipart_days must be a whole number of days, at least 1."
  }
}

variable "table_deletion_protection" {
  description = "DynamoDB deletion protection on the three tables. Turn off only to tear down a test deployment."
  type        = bool
  default     = true
}

# --- Queues ---

variable "max_receive_count" {
  description = "Deliveries of a message before SQS moves it to its DLQ (reelroute.sqs.max-receive-count)."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number from 1 to 1000."
  }
}

variable "visibility_timeout_seconds" {
  description = "Visibility timeout per work queue (seconds). Consumers extend visibility while they work, so this bounds how late the message of a pod that died comes back, not how long a hop may take. Also exported to kustomize_env (VISIBILITY_*), for reelroute.sqs.visibility-timeout.<queue>."
  type        = map(number)
  default = {
    chunking           = 120
    "video-worker"     = 300
    reassembly         = 300
    "transcode-events" = 60
  }

  validation {
    condition     = toset(keys(var.visibility_timeout_seconds)) == toset(["chunking", "video-worker", "reassembly", "transcode-events"])
    error_message = "visibility_timeout_seconds must have exactly the keys chunking, video-worker, reassembly and transcode-events."
  }
  validation {
    condition     = alltrue([for v in values(var.visibility_timeout_seconds) : v >= 0 && v <= 43200 && floor(v) == v])
    error_message = "visibility timeouts are whole seconds from 0 to 43200."
  }
}

variable "alarm_actions" {
  description = "ARNs (e.g. an SNS topic) notified when a dead-letter queue has messages."
  type        = list(string)
  default     = []
}

# --- Services the roles call ---

variable "events_bus_name" {
  description = "EventBridge bus of the lifecycle events (reelroute.events.bus-name)."
  type        = string
  default     = "default"
}

variable "mediaconvert_queue_arn" {
  description = "MediaConvert queue the media role submits to (reelroute.transcode.mediaconvert.queue-arn). Null: the account's Default queue in var.region."
  type        = string
  default     = null
}

variable "inference_sagemaker_endpoint_arns" {
  description = "SageMaker asynchronous inference endpoints the inference role may invoke (reelroute.inference.backend=sagemaker-async). Empty: no SageMaker permissions."
  type        = list(string)
  default     = []
}

variable "inference_request_prefix" {
  description = "Output-bucket prefix where the sagemaker-async backend stages request documents (reelroute.inference.sagemaker-async.request-prefix)."
  type        = string
  default     = "inference-requests/"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]*/$", var.inference_request_prefix)) && !contains(["jobs/", "dead-letters/"], var.inference_request_prefix)
    error_message = "inference_request_prefix is one folder name ending in / (not jobs/ or dead-letters/)."
  }
}

variable "inference_result_prefix" {
  description = "Output-bucket prefix the SageMaker endpoints' AsyncInferenceConfig writes response and error documents to (S3OutputPath and S3FailurePath = s3://{prefix}-output/<this>); the sagemaker-async backend polls them. Documents there expire after segment_expiry_days."
  type        = string
  default     = "inference-results/"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]*/$", var.inference_result_prefix)) && !contains(["jobs/", "dead-letters/"], var.inference_result_prefix)
    error_message = "inference_result_prefix is one folder name ending in / (not jobs/ or dead-letters/)."
  }
}

variable "inference_lambda_function_arns" {
  description = "Lambda functions the inference role may invoke (reelroute.inference.backend=lambda), as ARNs (with :alias or :version where the setting names one). Empty: no Lambda permissions."
  type        = list(string)
  default     = []
}
