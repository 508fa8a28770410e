output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "arn" {
  description = "Unqualified ARN of the function (what a flow's InvokeLambdaFunction and the Connect association use)."
  value       = aws_lambda_function.this.arn
}

output "role_name" {
  description = "Name of the execution role."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "ARN of the execution role."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = module.log_group.name
}

output "log_group_arn" {
  description = "ARN of the function's log group."
  value       = module.log_group.arn
}

output "policy_json" {
  description = "The execution role's inline policy document as JSON, for review and tests."
  value       = jsonencode(local.policy_document)
}
