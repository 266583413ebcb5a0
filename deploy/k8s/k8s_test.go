package k8s_test

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// TestManifests_EveryOverlayRendersAndPassesTheChecks renders each overlay as
// `kubectl apply -k` would, decodes every object strictly into the Kubernetes API's types, and
// checks the rules the service needs (checks_test.go).
func TestManifests_EveryOverlayRendersAndPassesTheChecks(t *testing.T) {
	for _, dir := range overlays {
		t.Run(dir, func(t *testing.T) {
			m, err := render(filesys.MakeFsOnDisk(), dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, problem := range check(m) {
				t.Error(problem)
			}
		})
	}
}

// TestOverlays_SizeTheirSite: the small site runs one replica of each, the province scales
// out.
func TestOverlays_SizeTheirSite(t *testing.T) {
	for _, tc := range []struct {
		dir                                  string
		webMin, webMax, workerMin, workerMax int32
	}{
		{"overlays/small", 1, 2, 1, 2},
		{"overlays/provincial", 3, 12, 2, 20},
	} {
		m, err := render(filesys.MakeFsOnDisk(), tc.dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range m.HPAs {
			lo, hi := tc.webMin, tc.webMax
			if h.Spec.ScaleTargetRef.Name == "contest-worker" {
				lo, hi = tc.workerMin, tc.workerMax
			}
			if *h.Spec.MinReplicas != lo || h.Spec.MaxReplicas != hi {
				t.Errorf("%s: %s scales %d to %d, want %d to %d", tc.dir, h.Name, *h.Spec.MinReplicas, h.Spec.MaxReplicas, lo, hi)
			}
		}
	}
}

// TestRender_RefusesWhatTheAPIServerWould: a misspelt field, a wrong type and an unknown kind
// fail the decoding; a custom resource of a known CRD group is skipped, by name.
func TestRender_RefusesWhatTheAPIServerWould(t *testing.T) {
	for _, tc := range []struct {
		name, file, old, new, want string
	}{
		{"misspelt field", "base/web.yaml", "readinessProbe:", "readynessProbe:", `unknown field "spec.template.spec.containers[0].readynessProbe"`},
		{"wrong type", "base/web.yaml", "containerPort: 8080", `containerPort: "8080"`, "containerPort"},
		{"unknown kind", "base/ingress.yaml", "kind: Ingress", "kind: Ingres", "Ingres"},
		{"misspelt value type", "base/autoscaling.yaml", "averageUtilization: 70", "averageUtilization: seventy", "averageUtilization"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := memCopy(t)
			edit(t, fsys, "/k8s/"+tc.file, tc.old, tc.new)
			_, err := render(fsys, "/k8s/base")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("render = %v, want an error about %s", err, tc.want)
			}
		})
	}

	t.Run("ServiceMonitor skipped", func(t *testing.T) {
		fsys := memCopy(t)
		monitor := "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: contest\nspec:\n  endpoints: [{port: metrics}]\n"
		if err := fsys.WriteFile("/k8s/base/servicemonitor.yaml", []byte(monitor)); err != nil {
			t.Fatal(err)
		}
		edit(t, fsys, "/k8s/base/kustomization.yaml", "  - ingress.yaml\n", "  - ingress.yaml\n  - servicemonitor.yaml\n")
		m, err := render(fsys, "/k8s/overlays/small")
		if err != nil {
			t.Fatal(err)
		}
		if problems := check(m); len(problems) > 0 {
			t.Fatal(problems)
		}
	})
}

// TestChecks_CatchEachMistake breaks one thing at a time in the provincial overlay and expects
// the check that guards it to say so.
func TestChecks_CatchEachMistake(t *testing.T) {
	web := func(m *manifests) *corev1.Container {
		return &deployment(m, "contest-web").Spec.Template.Spec.Containers[0]
	}
	worker := func(m *manifests) *corev1.Container {
		return &deployment(m, "contest-worker").Spec.Template.Spec.Containers[0]
	}
	setEnv := func(c *corev1.Container, name, value string) {
		for i := range c.Env {
			if c.Env[i].Name == name {
				c.Env[i] = corev1.EnvVar{Name: name, Value: value}
				return
			}
		}
		c.Env = append(c.Env, corev1.EnvVar{Name: name, Value: value})
	}
	ptr := func(b bool) *bool { return &b }
	for _, tc := range []struct {
		name    string
		mistake func(m *manifests)
		want    string
	}{
		{"web without liveness probe", func(m *manifests) { web(m).LivenessProbe = nil }, "no liveness probe"},
		{"worker without readiness probe", func(m *manifests) { worker(m).ReadinessProbe = nil }, "no readiness probe"},
		{"liveness on /readyz", func(m *manifests) { web(m).LivenessProbe.HTTPGet.Path = "/readyz" }, "liveness probe reads /readyz, want /healthz"},
		{"readiness on /healthz", func(m *manifests) { web(m).ReadinessProbe.HTTPGet.Path = "/healthz" }, "readiness probe reads /healthz, want /readyz"},
		{"probe on another port", func(m *manifests) { web(m).ReadinessProbe.HTTPGet.Port = intstr.FromString("metrics") }, "readiness probe's port"},
		{"worker probes without a metrics listener", func(m *manifests) { setEnv(worker(m), "CONTEST_METRICS_ADDR", "") }, "no CONTEST_METRICS_ADDR"},
		{"image latest", func(m *manifests) { worker(m).Image = "registry.example.org/jskx/contest:latest" }, "moving tag latest"},
		{"image without tag", func(m *manifests) { web(m).Image = "registry.example.org/jskx/contest" }, "has no tag"},
		{"image name not replaced", func(m *manifests) { jobContainer(m).Image = "contest:1.0" }, "not from a registry"},
		{"misspelt setting", func(m *manifests) { m.ConfigMaps[0].Data["CONTEST_BASEURL"] = "https://video.example.gov.cn" }, "CONTEST_BASEURL is no setting"},
		{"secret inline in env", func(m *manifests) { setEnv(worker(m), "CONTEST_SECRET_KEY", "c2VjcmV0") }, "CONTEST_SECRET_KEY is set inline"},
		{"access key inline", func(m *manifests) { setEnv(web(m), "CONTEST_S3_ACCESS_KEY", "contest-app") }, "CONTEST_S3_ACCESS_KEY is set inline"},
		{"password in the ConfigMap", func(m *manifests) { m.ConfigMaps[0].Data["CONTEST_SMTP_PASSWORD"] = "hunter2" }, "holds CONTEST_SMTP_PASSWORD"},
		{"Secret with data", func(m *manifests) {
			m.Secrets = append(m.Secrets, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "contest-secrets", Namespace: "contest"},
				StringData: map[string]string{"secret_key": "x"}})
		}, "carries data"},
		{"envFrom a Secret", func(m *manifests) {
			web(m).EnvFrom = append(web(m).EnvFrom, corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "contest-secrets"}}})
		}, "envFrom a Secret"},
		{"_FILE outside the Secret volume", func(m *manifests) {
			setEnv(jobContainer(m), "CONTEST_DATABASE_URL_FILE", "/var/lib/contest/data/database_url")
		}, "is not in a mounted Secret volume"},
		{"Secret files world-readable", func(m *manifests) {
			mode := int32(0o444)
			secretVolume(deployment(m, "contest-web")).DefaultMode = &mode
		}, "defaultMode"},
		{"decimal 440 for octal 0440", func(m *manifests) {
			mode := int32(440)
			secretVolume(deployment(m, "contest-worker")).DefaultMode = &mode
		}, "defaultMode"},
		{"replicas disagree on the key", func(m *manifests) { setEnv(worker(m), "CONTEST_SECRET_KEY_FILE", "/run/secrets/contest/other_key") }, "disagree on CONTEST_SECRET_KEY_FILE"},
		{"no memory limit", func(m *manifests) { delete(worker(m).Resources.Limits, corev1.ResourceMemory) }, "no limits.memory"},
		{"no CPU request", func(m *manifests) { delete(web(m).Resources.Requests, corev1.ResourceCPU) }, "no requests.cpu"},
		{"root filesystem writable", func(m *manifests) { web(m).SecurityContext.ReadOnlyRootFilesystem = ptr(false) }, "readOnlyRootFilesystem must be true"},
		{"data dir not mounted", func(m *manifests) { worker(m).VolumeMounts = worker(m).VolumeMounts[:1] }, "is not on an emptyDir"},
		{"may run as root", func(m *manifests) {
			deployment(m, "contest-worker").Spec.Template.Spec.SecurityContext.RunAsNonRoot = nil
		}, "runAsNonRoot"},
		{"privilege escalation", func(m *manifests) { jobContainer(m).SecurityContext.AllowPrivilegeEscalation = ptr(true) }, "allowPrivilegeEscalation"},
		{"service links", func(m *manifests) { deployment(m, "contest-web").Spec.Template.Spec.EnableServiceLinks = ptr(true) }, "enableServiceLinks"},
		{"web runs jobs", func(m *manifests) { setEnv(web(m), "CONTEST_WORKERS", "4") }, "the web replicas run no jobs"},
		{"replicas migrate", func(m *manifests) { setEnv(web(m), "CONTEST_MIGRATE", "true") }, "CONTEST_MIGRATE must be false"},
		{"worker runs serve", func(m *manifests) { worker(m).Args = []string{"serve"} }, "want the image's entrypoint with args [worker]"},
		{"Job does not migrate", func(m *manifests) { jobContainer(m).Args = []string{"serve"} }, "args [migrate]"},
		{"Job restarts always", func(m *manifests) { m.Jobs[0].Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyAlways }, "restartPolicy"},
		{"ConfigMap not applied before the Job", func(m *manifests) { delete(m.ConfigMaps[0].Labels, migrateLabel) }, "lacks the label contest/migrate=true"},
		{"grace period shorter than the shutdown", func(m *manifests) {
			grace := int64(25)
			deployment(m, "contest-web").Spec.Template.Spec.TerminationGracePeriodSeconds = &grace
		}, "terminationGracePeriodSeconds"},
		{"worker grace period shorter than its shutdown", func(m *manifests) { setEnv(worker(m), "CONTEST_SHUTDOWN_TIMEOUT", "5m") }, "terminationGracePeriodSeconds"},
		{"no preStop delay", func(m *manifests) { web(m).Lifecycle = nil }, "no preStop delay"},
		{"replicas fixed under an autoscaler", func(m *manifests) {
			n := int32(3)
			deployment(m, "contest-web").Spec.Replicas = &n
		}, "spec.replicas is set"},
		{"no autoscaler for the workers", func(m *manifests) { m.HPAs = m.HPAs[:1] }, "Deployment/contest-worker: want one HorizontalPodAutoscaler"},
		{"autoscaler aimed elsewhere", func(m *manifests) { m.HPAs[0].Spec.ScaleTargetRef.Name = "contest" }, "want one HorizontalPodAutoscaler"},
		{"workers scale on an unknown queue", func(m *manifests) {
			m.HPAs[1].Spec.Metrics[0].External.Metric.Selector.MatchLabels["queue"] = "videos"
		}, `queue="videos"`},
		{"workers scale on another gauge", func(m *manifests) { m.HPAs[1].Spec.Metrics[0].External.Metric.Name = "river_jobs" }, "is not contest_job_queue_jobs"},
		{"web scales on nothing", func(m *manifests) { m.HPAs[0].Spec.Metrics = nil }, "scale on CPU utilization"},
		{"no disruption budget", func(m *manifests) { m.PDBs = m.PDBs[1:] }, "want one PodDisruptionBudget"},
		{"budget selects other pods", func(m *manifests) { m.PDBs[1].Spec.Selector.MatchLabels[componentLabel] = "web" }, "Deployment/contest-worker: want one PodDisruptionBudget"},
		{"budget blocks every drain", func(m *manifests) {
			three := intstr.FromInt32(3)
			m.PDBs[0].Spec.MaxUnavailable, m.PDBs[0].Spec.MinAvailable = nil, &three
		}, "a node drain never ends"},
		{"Service selects web and workers", func(m *manifests) { delete(m.service("contest-web").Spec.Selector, componentLabel) }, "selects the pods of 2 Deployments"},
		{"Service to a port the pods lack", func(m *manifests) { m.service("contest-web").Spec.Ports[0].TargetPort = intstr.FromString("web") }, "targetPort web"},
		{"body limit below a scan", func(m *manifests) {
			m.Ingresses[0].Annotations["nginx.ingress.kubernetes.io/proxy-body-size"] = "8m"
		}, "proxy-body-size"},
		{"body limit below a larger part", func(m *manifests) { m.ConfigMaps[0].Data["CONTEST_UPLOAD_PART_BYTES"] = "104857600" }, "proxy-body-size"},
		{"request buffering", func(m *manifests) {
			delete(m.Ingresses[0].Annotations, "nginx.ingress.kubernetes.io/proxy-request-buffering")
		}, "proxy-request-buffering"},
		{"short read timeout", func(m *manifests) {
			m.Ingresses[0].Annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] = "60"
		}, "proxy-read-timeout"},
		{"host is not the base URL's", func(m *manifests) { m.Ingresses[0].Spec.Rules[0].Host = "contest.example.org" }, "is not CONTEST_BASE_URL's"},
		{"base URL over http", func(m *manifests) { m.ConfigMaps[0].Data["CONTEST_BASE_URL"] = "http://video.example.gov.cn" }, "not an https address"},
		{"no TLS", func(m *manifests) { m.Ingresses[0].Spec.TLS = nil }, "has no TLS"},
		{"backend elsewhere", func(m *manifests) { m.Ingresses[0].Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name = "minio" }, "backend Service/minio"},
		{"two namespaces", func(m *manifests) { m.PDBs[0].Namespace = "default" }, "want all in one"},
		{"namespace not restricted", func(m *manifests) { delete(m.Namespaces[0].Labels, "pod-security.kubernetes.io/enforce") }, "restricted Pod Security Standard"},
		{"port name too long", func(m *manifests) { web(m).Ports[1].Name = "prometheus-metrics" }, `port name "prometheus-metrics"`},
		{"bad label value", func(m *manifests) { m.Jobs[0].Labels["contest/migrate"] = "yes please" }, "label contest/migrate=yes please"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := render(filesys.MakeFsOnDisk(), "overlays/provincial")
			if err != nil {
				t.Fatal(err)
			}
			if problems := check(m); len(problems) > 0 {
				t.Fatalf("before breaking it: %v", problems)
			}
			tc.mistake(m)
			problems := check(m)
			for _, p := range problems {
				if strings.Contains(p, tc.want) {
					return
				}
			}
			t.Errorf("no problem mentions %q; found %q", tc.want, problems)
		})
	}
}

// TestChecks_CatchALatestTagInAnOverlay edits the overlay's file, as an operator would.
func TestChecks_CatchALatestTagInAnOverlay(t *testing.T) {
	fsys := memCopy(t)
	edit(t, fsys, "/k8s/overlays/small/kustomization.yaml", `newTag: "2026.12.0"`, "newTag: latest")
	m, err := render(fsys, "/k8s/overlays/small")
	if err != nil {
		t.Fatal(err)
	}
	problems := check(m)
	if got := strings.Count(strings.Join(problems, "\n"), "moving tag latest"); got != 3 {
		t.Errorf("%d workloads found on latest, want 3 (web, worker, migrate): %q", got, problems)
	}
}

func deployment(m *manifests, name string) *appsv1.Deployment {
	for _, d := range m.Deployments {
		if d.Name == name {
			return d
		}
	}
	panic("no Deployment " + name)
}

func jobContainer(m *manifests) *corev1.Container { return &m.Jobs[0].Spec.Template.Spec.Containers[0] }

func secretVolume(d *appsv1.Deployment) *corev1.SecretVolumeSource {
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Secret != nil {
			return v.Secret
		}
	}
	panic("no Secret volume in " + d.Name)
}
