// Package k8s holds the Kubernetes manifests of the service (a kustomize base and the overlays
// small and provincial; see README.md) and, in its test, the check that renders every overlay
// and validates it offline against the Kubernetes API types and the service's own rules.
package k8s
