terraform {
  # Pure HCL: no providers. Cross-variable validation needs Terraform >= 1.9.
  required_version = ">= 1.9.0"
}
