package k8s_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// overlays are the kustomizations an operator applies, rendered and checked. The base is not
// applied on its own: the image and the site's names are the overlay's.
var overlays = []string{"overlays/small", "overlays/provincial"}

// skippedGroups are API groups of custom resources (CRDs), which the core schema does not know:
// skipped by name, so that any other unknown kind fails the check. None is used today; a
// ServiceMonitor (monitoring.coreos.com) would be.
var skippedGroups = map[string]bool{"monitoring.coreos.com": true, "keda.sh": true}

// manifests are the rendered objects of one kustomization, decoded into the API's Go types.
type manifests struct {
	Namespaces      []*corev1.Namespace
	ServiceAccounts []*corev1.ServiceAccount
	ConfigMaps      []*corev1.ConfigMap
	Secrets         []*corev1.Secret
	Services        []*corev1.Service
	Deployments     []*appsv1.Deployment
	Jobs            []*batchv1.Job
	HPAs            []*autoscalingv2.HorizontalPodAutoscaler
	PDBs            []*policyv1.PodDisruptionBudget
	Ingresses       []*networkingv1.Ingress
}

// scheme knows the kinds the manifests may hold; any other kind fails to decode.
func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme,
		autoscalingv2.AddToScheme, policyv1.AddToScheme, networkingv1.AddToScheme} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}

// render builds the kustomization in dir of fsys, as `kubectl apply -k` would, and decodes each
// object strictly: an unknown or misspelt field, a duplicate field or a wrong type is an error,
// as the API server's strict field validation (kubectl's default) makes it.
func render(fsys filesys.FileSystem, dir string) (*manifests, error) {
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize %s: %w", dir, err)
	}
	scheme := newScheme()
	codec := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme, json.SerializerOptions{Yaml: true, Strict: true})
	out := &manifests{}
	var errs []error
	for _, r := range m.Resources() {
		gvk := schema.FromAPIVersionAndKind(r.GetApiVersion(), r.GetKind())
		name := r.GetKind() + "/" + r.GetName()
		if skippedGroups[gvk.Group] {
			continue
		}
		raw, err := r.AsYAML()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		obj, _, err := codec.Decode(raw, nil, nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		switch o := obj.(type) {
		case *corev1.Namespace:
			out.Namespaces = append(out.Namespaces, o)
		case *corev1.ServiceAccount:
			out.ServiceAccounts = append(out.ServiceAccounts, o)
		case *corev1.ConfigMap:
			out.ConfigMaps = append(out.ConfigMaps, o)
		case *corev1.Secret:
			out.Secrets = append(out.Secrets, o)
		case *corev1.Service:
			out.Services = append(out.Services, o)
		case *appsv1.Deployment:
			out.Deployments = append(out.Deployments, o)
		case *batchv1.Job:
			out.Jobs = append(out.Jobs, o)
		case *autoscalingv2.HorizontalPodAutoscaler:
			out.HPAs = append(out.HPAs, o)
		case *policyv1.PodDisruptionBudget:
			out.PDBs = append(out.PDBs, o)
		case *networkingv1.Ingress:
			out.Ingresses = append(out.Ingresses, o)
		default:
			errs = append(errs, fmt.Errorf("%s: kind %s is not one the checks know", name, gvk))
		}
	}
	return out, errors.Join(errs...)
}

// memCopy is this directory's YAML files in memory, under /k8s, to render with changes.
func memCopy(t *testing.T) filesys.FileSystem {
	t.Helper()
	mem := filesys.MakeFsInMemory()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return mem.WriteFile(filepath.Join("/k8s", path), b)
	})
	if err != nil {
		t.Fatal(err)
	}
	return mem
}

// edit replaces old by new in a file of fsys, failing the test when old is not there once.
func edit(t *testing.T, fsys filesys.FileSystem, path, old, new string) {
	t.Helper()
	b, err := fsys.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), old); n != 1 {
		t.Fatalf("%s holds %q %d times, want once", path, old, n)
	}
	if err := fsys.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1))); err != nil {
		t.Fatal(err)
	}
}
