package k8s_test

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jskx/contest/internal/contest"
	"github.com/jskx/contest/internal/prometheus"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

// The service's facts the manifests must agree with (cmd/contest, docs/configuration.md).
const (
	componentLabel = "app.kubernetes.io/component"
	// migrateLabel marks what `kubectl apply -k … -l contest/migrate=true` applies before the
	// rollout: the Job and everything it needs.
	migrateLabel = "contest/migrate"
	// defaultShutdown is CONTEST_SHUTDOWN_TIMEOUT's default.
	defaultShutdown = 20 * time.Second
	// slowUplink is the slowest phone upload the proxy must wait for (bits per second): one
	// part at this rate must fit in its timeouts.
	slowUplink = 256_000
)

// commands are the subcommand each component runs.
var commands = map[string]string{"web": "serve", "worker": "worker", "migrate": "migrate"}

// The labels of contest_job_queue_jobs (internal/db's queues, River's states).
var (
	queues      = []string{"media", "media_copies", "media_scans", "export", "mail", "sms", "housekeeping"}
	queueStates = []string{"available", "running", "retryable", "scheduled"}
)

// perComponent are the settings that may differ between web, worker and migrate; every other
// CONTEST_* setting must be the same everywhere (the same database, bucket and secret key).
var perComponent = []string{"CONTEST_ADDR", "CONTEST_METRICS_ADDR", "CONTEST_WORKERS", "CONTEST_COPY_WORKERS",
	"CONTEST_SCAN_WORKERS", "CONTEST_MAIL_WORKERS", "CONTEST_HASH_WORKERS", "CONTEST_SHUTDOWN_TIMEOUT"}

// problems collects what is wrong, one sentence each.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// workload is a pod template and who owns it.
type workload struct {
	name, component string
	pod             *corev1.PodSpec
	podLabels       map[string]string
	deployment      *appsv1.Deployment // nil for the Job
}

func (m *manifests) workloads() []workload {
	var out []workload
	for _, d := range m.Deployments {
		out = append(out, workload{"Deployment/" + d.Name, d.Labels[componentLabel], &d.Spec.Template.Spec, d.Spec.Template.Labels, d})
	}
	for _, j := range m.Jobs {
		out = append(out, workload{"Job/" + j.Name, j.Labels[componentLabel], &j.Spec.Template.Spec, j.Spec.Template.Labels, nil})
	}
	return out
}

func (m *manifests) objects() []metav1.Object {
	var out []metav1.Object
	for _, o := range m.Namespaces {
		out = append(out, o)
	}
	for _, o := range m.ServiceAccounts {
		out = append(out, o)
	}
	for _, o := range m.ConfigMaps {
		out = append(out, o)
	}
	for _, o := range m.Secrets {
		out = append(out, o)
	}
	for _, o := range m.Services {
		out = append(out, o)
	}
	for _, o := range m.Deployments {
		out = append(out, o)
	}
	for _, o := range m.Jobs {
		out = append(out, o)
	}
	for _, o := range m.HPAs {
		out = append(out, o)
	}
	for _, o := range m.PDBs {
		out = append(out, o)
	}
	for _, o := range m.Ingresses {
		out = append(out, o)
	}
	return out
}

func (m *manifests) configMap(name string) *corev1.ConfigMap {
	for _, c := range m.ConfigMaps {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (m *manifests) service(name string) *corev1.Service {
	for _, s := range m.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// setting is a variable as the container sees it.
type setting struct {
	value  string // a literal value (env or ConfigMap)
	source string // "env", "configmap", "secret", "other"
}

// environment is what the process reads: env entries win over envFrom, as in Kubernetes.
func (m *manifests) environment(c *corev1.Container, p *problems, where string) map[string]setting {
	env := map[string]setting{}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm := m.configMap(from.ConfigMapRef.Name)
			if cm == nil {
				p.add("%s: envFrom names ConfigMap %s, which is not in the manifests", where, from.ConfigMapRef.Name)
				continue
			}
			for k, v := range cm.Data {
				env[from.Prefix+k] = setting{v, "configmap"}
			}
		case from.SecretRef != nil:
			p.add("%s: envFrom a Secret puts secrets in the environment; use the _FILE variables", where)
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = setting{e.Value, "env"}
		case e.ValueFrom.SecretKeyRef != nil:
			env[e.Name] = setting{"", "secret"}
		default:
			env[e.Name] = setting{"", "other"}
		}
	}
	return env
}

// knownSettings are the CONTEST_* variables docs/configuration.md describes: the service
// ignores any other, so a misspelt one in the manifests would be lost without a word.
var knownSettings = sync.OnceValue(func() map[string]bool {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		panic(err)
	}
	known := map[string]bool{}
	for _, name := range regexp.MustCompile(`CONTEST_[A-Z0-9_]*[A-Z0-9]`).FindAllString(string(doc), -1) {
		known[name] = true
	}
	return known
})

// secretish tells the variables that hold a secret when set directly (config.go's secrets,
// the S3 access key, and anything named like one).
func secretish(name string) bool {
	if strings.HasSuffix(name, "_FILE") {
		return false
	}
	for _, w := range []string{"SECRET", "PASSWORD", "TOKEN", "KEY", "DATABASE_URL"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// check returns everything wrong with one rendered kustomization.
func check(m *manifests) problems {
	var p problems
	checkNames(m, &p)
	for _, s := range m.Secrets {
		if len(s.Data) > 0 || len(s.StringData) > 0 {
			p.add("Secret/%s carries data: secrets are created by the operator, never kept in the manifests", s.Name)
		}
	}
	for _, c := range m.ConfigMaps {
		for k := range c.Data {
			for _, msg := range validation.IsConfigMapKey(k) {
				p.add("ConfigMap/%s: key %s: %s", c.Name, k, msg)
			}
			if secretish(k) {
				p.add("ConfigMap/%s holds %s: a secret goes in the Secret, read through %s_FILE", c.Name, k, k)
			}
		}
	}
	byComponent := map[string][]workload{}
	for _, w := range m.workloads() {
		byComponent[w.component] = append(byComponent[w.component], w)
		checkWorkload(m, w, &p)
	}
	for component := range commands {
		if n := len(byComponent[component]); n != 1 {
			p.add("want one workload with %s=%s, found %d", componentLabel, component, n)
		}
	}
	checkSameSettings(m, &p)
	for _, d := range m.Deployments {
		checkScaling(m, d, &p)
	}
	checkMigration(m, &p)
	checkServices(m, &p)
	checkIngresses(m, &p)
	return p
}

// checkNames checks what the API server checks of names and labels, and one namespace for all.
func checkNames(m *manifests, p *problems) {
	namespaces := map[string]bool{}
	for _, o := range m.objects() {
		for _, msg := range validation.IsDNS1123Subdomain(o.GetName()) {
			p.add("%s: name: %s", o.GetName(), msg)
		}
		for k, v := range o.GetLabels() {
			for _, msg := range append(validation.IsQualifiedName(k), validation.IsValidLabelValue(v)...) {
				p.add("%s: label %s=%s: %s", o.GetName(), k, v, msg)
			}
		}
		if _, isNS := o.(*corev1.Namespace); !isNS {
			namespaces[o.GetNamespace()] = true
		}
	}
	if len(namespaces) != 1 || namespaces[""] {
		p.add("the objects are in namespaces %v: want all in one, named", namespaces)
	}
	for ns := range namespaces {
		found := false
		for _, n := range m.Namespaces {
			if n.Name == ns {
				found = true
				if n.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
					p.add("Namespace/%s does not enforce the restricted Pod Security Standard", ns)
				}
			}
		}
		if !found {
			p.add("namespace %q is not created by the manifests", ns)
		}
	}
}

// checkWorkload checks one pod template: command, image, resources, security, secrets, probes,
// shutdown.
func checkWorkload(m *manifests, w workload, p *problems) {
	pod := w.pod
	if pod.EnableServiceLinks == nil || *pod.EnableServiceLinks {
		p.add("%s: enableServiceLinks must be false (Services named contest-* would add CONTEST_* variables)", w.name)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		p.add("%s: automountServiceAccountToken must be false: the service uses no Kubernetes API", w.name)
	}
	if !slices.ContainsFunc(m.ServiceAccounts, func(s *corev1.ServiceAccount) bool { return s.Name == pod.ServiceAccountName }) {
		p.add("%s: serviceAccountName %q is not in the manifests", w.name, pod.ServiceAccountName)
	}
	sc := pod.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		p.add("%s: the pod must set runAsNonRoot: true", w.name)
	}
	if sc == nil || sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		p.add("%s: the pod must use the RuntimeDefault seccomp profile", w.name)
	}
	if w.deployment != nil && w.deployment.Spec.Replicas != nil {
		p.add("%s: spec.replicas is set: its HorizontalPodAutoscaler owns the count, and each apply would reset it", w.name)
	}
	if w.deployment != nil {
		sel, err := metav1.LabelSelectorAsSelector(w.deployment.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(labels.Set(w.podLabels)) {
			p.add("%s: its selector does not select its own pods", w.name)
		}
	}
	if w.component == "migrate" {
		if pod.RestartPolicy != corev1.RestartPolicyNever && pod.RestartPolicy != corev1.RestartPolicyOnFailure {
			p.add("%s: restartPolicy %q: a Job needs Never or OnFailure", w.name, pod.RestartPolicy)
		}
	}

	secretVolumes := map[string]bool{}
	emptyDirs := map[string]bool{}
	for _, v := range pod.Volumes {
		if v.Secret != nil {
			secretVolumes[v.Name] = true
			if v.Secret.DefaultMode == nil || *v.Secret.DefaultMode&^0o440 != 0 {
				p.add("%s: Secret volume %s: defaultMode must be at most 0440 (octal), readable by the service's group only", w.name, v.Name)
			}
		}
		if v.EmptyDir != nil {
			emptyDirs[v.Name] = true
		}
	}

	if len(pod.Containers) == 0 {
		p.add("%s: no containers", w.name)
	}
	for i := range pod.InitContainers {
		checkImage(w.name, &pod.InitContainers[i], p)
	}
	for i := range pod.Containers {
		c := &pod.Containers[i]
		where := w.name + " container " + c.Name
		checkImage(where, c, p)
		for _, port := range c.Ports {
			for _, msg := range validation.IsValidPortName(port.Name) {
				p.add("%s: port name %q: %s", where, port.Name, msg)
			}
		}
		if want := commands[w.component]; len(c.Command) > 0 || len(c.Args) == 0 || c.Args[0] != want {
			p.add("%s: runs %v %v, want the image's entrypoint with args [%s]", where, c.Command, c.Args, want)
		}
		checkResources(where, c, p)
		checkSecurity(where, c, p)

		env := m.environment(c, p, where)
		var secretMounts []string
		for _, vm := range c.VolumeMounts {
			if secretVolumes[vm.Name] {
				secretMounts = append(secretMounts, vm.MountPath)
			}
		}
		for name, s := range env {
			if !strings.HasPrefix(name, "CONTEST_") {
				continue
			}
			if !knownSettings()[strings.TrimSuffix(name, "_FILE")] {
				p.add("%s: %s is no setting of the service (docs/configuration.md): it would be ignored", where, name)
			}
			if secretish(name) && s.source != "secret" {
				p.add("%s: %s is set inline (%s); give it through %s_FILE from the Secret volume", where, name, s.source, name)
			}
			if strings.HasSuffix(name, "_FILE") && !slices.ContainsFunc(secretMounts, func(dir string) bool {
				return s.source == "env" && strings.HasPrefix(s.value, strings.TrimSuffix(dir, "/")+"/")
			}) {
				p.add("%s: %s=%q is not in a mounted Secret volume %v", where, name, s.value, secretMounts)
			}
		}
		if c.SecurityContext != nil && c.SecurityContext.ReadOnlyRootFilesystem != nil && *c.SecurityContext.ReadOnlyRootFilesystem {
			dataDir := cmpOr(env["CONTEST_DATA_DIR"].value, "data")
			for _, dir := range []string{dataDir, "/tmp"} {
				if !writable(dir, c.VolumeMounts, emptyDirs) {
					p.add("%s: the root filesystem is read-only and %s (temporary files) is not on an emptyDir", where, dir)
				}
			}
		}
		if w.deployment != nil {
			checkProbes(m, w, c, env, where, p)
		}
	}
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// writable tells whether dir is at or under a mount of an emptyDir volume.
func writable(dir string, mounts []corev1.VolumeMount, emptyDirs map[string]bool) bool {
	if !path.IsAbs(dir) {
		return false // relative to the image's working directory, which is read-only
	}
	for _, vm := range mounts {
		if emptyDirs[vm.Name] && !vm.ReadOnly && (dir == vm.MountPath || strings.HasPrefix(dir, strings.TrimSuffix(vm.MountPath, "/")+"/")) {
			return true
		}
	}
	return false
}

// checkImage refuses an image without a tag or digest, or with the moving tag latest.
func checkImage(where string, c *corev1.Container, p *problems) {
	ref := c.Image
	if strings.Contains(ref, "@sha256:") {
		return
	}
	name, tag := ref, ""
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		name, tag = ref[:i], ref[i+1:]
	}
	switch {
	case tag == "":
		p.add("%s: image %q has no tag: set it in the kustomization's images", where, ref)
	case tag == "latest":
		p.add("%s: image %q uses the moving tag latest", where, ref)
	case !strings.Contains(name, "/"):
		p.add("%s: image %q is not from a registry: the kustomization's images did not apply", where, ref)
	}
}

func checkResources(where string, c *corev1.Container, p *problems) {
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, okReq := c.Resources.Requests[r]
		lim, okLim := c.Resources.Limits[r]
		if !okReq {
			p.add("%s: no requests.%s", where, r)
		}
		if !okLim {
			p.add("%s: no limits.%s", where, r)
		}
		if okReq && okLim && req.Cmp(lim) > 0 {
			p.add("%s: requests.%s %s is above limits.%s %s", where, r, req.String(), r, lim.String())
		}
	}
}

func checkSecurity(where string, c *corev1.Container, p *problems) {
	sc := c.SecurityContext
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		p.add("%s: allowPrivilegeEscalation must be false", where)
	}
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		p.add("%s: readOnlyRootFilesystem must be true", where)
	}
	if sc == nil || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		p.add("%s: capabilities must drop ALL", where)
	}
	if sc != nil && sc.Privileged != nil && *sc.Privileged {
		p.add("%s: privileged", where)
	}
}

// checkProbes checks a Deployment's container: probes where the service answers them, the
// component's settings, and a shutdown that fits in the grace period.
func checkProbes(m *manifests, w workload, c *corev1.Container, env map[string]setting, where string, p *problems) {
	if c.LivenessProbe == nil {
		p.add("%s: no liveness probe", where)
	}
	if c.ReadinessProbe == nil {
		p.add("%s: no readiness probe", where)
	}
	if migrate, err := strconv.ParseBool(cmpOr(env["CONTEST_MIGRATE"].value, "true")); err != nil || migrate {
		p.add("%s: CONTEST_MIGRATE must be false: the migration Job migrates, before the rollout", where)
	}
	workers := cmpOr(env["CONTEST_WORKERS"].value, "cores")
	var wantPort int
	var live, ready string
	switch w.component {
	case "web":
		if workers != "0" {
			p.add("%s: CONTEST_WORKERS=%s: the web replicas run no jobs (0), the workers do", where, workers)
		}
		wantPort, live, ready = addrPort(cmpOr(env["CONTEST_ADDR"].value, ":8080")), "/healthz", "/readyz"
	case "worker":
		if n, err := strconv.Atoi(workers); err != nil || n < 1 {
			p.add("%s: CONTEST_WORKERS=%s: a worker needs at least 1", where, workers)
		}
		metricsAddr := env["CONTEST_METRICS_ADDR"].value
		if metricsAddr == "" {
			p.add("%s: no CONTEST_METRICS_ADDR: a worker has no other port to probe", where)
		}
		wantPort, live, ready = addrPort(metricsAddr), "/healthz", "/healthz"
	default:
		p.add("%s: component %q is neither web nor worker", where, w.component)
		return
	}
	for _, pr := range []struct {
		kind, path string
		probe      *corev1.Probe
	}{{"liveness", live, c.LivenessProbe}, {"readiness", ready, c.ReadinessProbe}, {"startup", live, c.StartupProbe}} {
		if pr.probe == nil {
			continue
		}
		g := pr.probe.HTTPGet
		if g == nil {
			p.add("%s: the %s probe is not an HTTP GET of %s", where, pr.kind, pr.path)
			continue
		}
		if g.Path != pr.path {
			p.add("%s: the %s probe reads %s, want %s", where, pr.kind, g.Path, pr.path)
		}
		if port := containerPort(c, g.Port); port == 0 || port != wantPort {
			p.add("%s: the %s probe's port %s is not the one the service listens on (%d)", where, pr.kind, g.Port.String(), wantPort)
		}
	}

	shutdown, err := time.ParseDuration(cmpOr(env["CONTEST_SHUTDOWN_TIMEOUT"].value, defaultShutdown.String()))
	if err != nil {
		p.add("%s: CONTEST_SHUTDOWN_TIMEOUT: %v", where, err)
	}
	preStop := preStopDelay(c)
	grace := 30 * time.Second
	if w.pod.TerminationGracePeriodSeconds != nil {
		grace = time.Duration(*w.pod.TerminationGracePeriodSeconds) * time.Second
	}
	if grace <= preStop+shutdown {
		p.add("%s: terminationGracePeriodSeconds %v is not above the preStop delay %v + CONTEST_SHUTDOWN_TIMEOUT %v: the kubelet would kill it mid-shutdown",
			where, grace, preStop, shutdown)
	}
	for _, s := range m.Services {
		if s.Spec.Type != corev1.ServiceTypeExternalName && len(s.Spec.Selector) > 0 &&
			labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(w.podLabels)) && preStop < time.Second {
			p.add("%s: Service/%s sends it traffic and it has no preStop delay: requests reach it after SIGTERM", where, s.Name)
		}
	}
}

// addrPort is the port of a listen address such as :8080; 0 if none.
func addrPort(addr string) int {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(port)
	return n
}

// containerPort resolves a probe's or Service's port (a number or a port's name) in c.
func containerPort(c *corev1.Container, port intstr.IntOrString) int {
	if port.Type == intstr.Int {
		return port.IntValue()
	}
	for _, cp := range c.Ports {
		if cp.Name == port.StrVal {
			return int(cp.ContainerPort)
		}
	}
	return 0
}

// preStopDelay is how long the preStop hook waits: a sleep command or the sleep action.
func preStopDelay(c *corev1.Container) time.Duration {
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
		return 0
	}
	h := c.Lifecycle.PreStop
	if h.Sleep != nil {
		return time.Duration(h.Sleep.Seconds) * time.Second
	}
	if h.Exec != nil && len(h.Exec.Command) == 2 && path.Base(h.Exec.Command[0]) == "sleep" {
		if n, err := strconv.Atoi(h.Exec.Command[1]); err == nil {
			return time.Duration(n) * time.Second
		}
	}
	return 0
}

// checkSameSettings: every replica and the Job read the same database, bucket and key.
func checkSameSettings(m *manifests, p *problems) {
	var ignored problems
	envs := map[string]map[string]setting{}
	for _, w := range m.workloads() {
		for i := range w.pod.Containers {
			envs[w.name] = m.environment(&w.pod.Containers[i], &ignored, w.name)
		}
	}
	keys := map[string]bool{}
	for _, env := range envs {
		for k := range env {
			if strings.HasPrefix(k, "CONTEST_") && !slices.Contains(perComponent, k) {
				keys[k] = true
			}
		}
	}
	for k := range keys {
		seen := map[setting][]string{}
		for name, env := range envs {
			seen[env[k]] = append(seen[env[k]], name)
		}
		if len(seen) > 1 {
			p.add("the workloads disagree on %s: %v", k, seen)
		}
	}
}

// checkScaling: one autoscaler and one disruption budget for each Deployment, on the right
// signals, letting a node drain go on.
func checkScaling(m *manifests, d *appsv1.Deployment, p *problems) {
	where := "Deployment/" + d.Name
	var hpas []*autoscalingv2.HorizontalPodAutoscaler
	for _, h := range m.HPAs {
		ref := h.Spec.ScaleTargetRef
		if ref.APIVersion == "apps/v1" && ref.Kind == "Deployment" && ref.Name == d.Name {
			hpas = append(hpas, h)
		}
	}
	minReplicas := int32(1)
	if len(hpas) != 1 {
		p.add("%s: want one HorizontalPodAutoscaler scaling it, found %d", where, len(hpas))
	} else {
		h := hpas[0]
		if h.Spec.MinReplicas != nil {
			minReplicas = *h.Spec.MinReplicas
		}
		if minReplicas < 1 || h.Spec.MaxReplicas < minReplicas {
			p.add("HorizontalPodAutoscaler/%s: replicas %d to %d", h.Name, minReplicas, h.Spec.MaxReplicas)
		}
		switch d.Labels[componentLabel] {
		case "web":
			if !slices.ContainsFunc(h.Spec.Metrics, func(s autoscalingv2.MetricSpec) bool {
				return s.Type == autoscalingv2.ResourceMetricSourceType && s.Resource != nil && s.Resource.Name == corev1.ResourceCPU &&
					s.Resource.Target.Type == autoscalingv2.UtilizationMetricType && s.Resource.Target.AverageUtilization != nil
			}) {
				p.add("HorizontalPodAutoscaler/%s: the web replicas scale on CPU utilization", h.Name)
			}
		case "worker":
			checkQueueMetrics(h, p)
		}
	}

	var pdbs int
	for _, b := range m.PDBs {
		sel, err := metav1.LabelSelectorAsSelector(b.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			continue
		}
		pdbs++
		switch {
		case b.Spec.MaxUnavailable != nil:
			if v, err := intstr.GetScaledValueFromIntOrPercent(b.Spec.MaxUnavailable, int(minReplicas), true); err != nil || v < 1 {
				p.add("PodDisruptionBudget/%s: maxUnavailable %s lets no pod go: a node drain never ends", b.Name, b.Spec.MaxUnavailable.String())
			}
		case b.Spec.MinAvailable != nil:
			if v, err := intstr.GetScaledValueFromIntOrPercent(b.Spec.MinAvailable, int(minReplicas), true); err != nil || v >= int(minReplicas) {
				p.add("PodDisruptionBudget/%s: minAvailable %s with %d replicas lets no pod go: a node drain never ends", b.Name, b.Spec.MinAvailable.String(), minReplicas)
			}
		default:
			p.add("PodDisruptionBudget/%s sets neither maxUnavailable nor minAvailable", b.Name)
		}
	}
	if pdbs != 1 {
		p.add("%s: want one PodDisruptionBudget selecting its pods, found %d", where, pdbs)
	}
	for _, c := range d.Spec.Template.Spec.Containers {
		if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
			p.add("%s: CPU utilization needs requests.cpu", where)
		}
	}
}

// checkQueueMetrics: the workers scale on the verdicts waiting, an External metric read from the
// service's own gauge, with labels it has.
func checkQueueMetrics(h *autoscalingv2.HorizontalPodAutoscaler, p *problems) {
	gauge := prometheus.Namespace + "_job_queue_jobs"
	onVerdicts := false
	for _, s := range h.Spec.Metrics {
		if s.Type != autoscalingv2.ExternalMetricSourceType || s.External == nil {
			continue
		}
		e := s.External
		if e.Metric.Name != gauge {
			p.add("HorizontalPodAutoscaler/%s: external metric %s is not %s", h.Name, e.Metric.Name, gauge)
			continue
		}
		var sel map[string]string
		if e.Metric.Selector != nil {
			sel = e.Metric.Selector.MatchLabels
		}
		if !slices.Contains(queues, sel["queue"]) || !slices.Contains(queueStates, sel["state"]) {
			p.add("HorizontalPodAutoscaler/%s: %s{queue=%q,state=%q}: no such queue or state", h.Name, gauge, sel["queue"], sel["state"])
		}
		if e.Target.Type != autoscalingv2.AverageValueMetricType || e.Target.AverageValue == nil || e.Target.AverageValue.Sign() <= 0 {
			p.add("HorizontalPodAutoscaler/%s: %s wants a positive AverageValue target (jobs waiting per replica)", h.Name, gauge)
		}
		if sel["queue"] == "media" && sel["state"] == "available" {
			onVerdicts = true
		}
	}
	if !onVerdicts {
		p.add("HorizontalPodAutoscaler/%s: the workers scale on %s{queue=media,state=available}, the verdicts waiting", h.Name, gauge)
	}
}

// checkMigration: the Job and all it needs are in the selection applied before the rollout.
func checkMigration(m *manifests, p *problems) {
	for _, j := range m.Jobs {
		if j.Labels[migrateLabel] != "true" {
			p.add("Job/%s lacks the label %s=true", j.Name, migrateLabel)
		}
		if j.Spec.BackoffLimit == nil {
			p.add("Job/%s: no backoffLimit", j.Name)
		}
		pod := j.Spec.Template.Spec
		needs := map[string]map[string]string{}
		for _, sa := range m.ServiceAccounts {
			if sa.Name == pod.ServiceAccountName {
				needs["ServiceAccount/"+sa.Name] = sa.Labels
			}
		}
		for _, ns := range m.Namespaces {
			needs["Namespace/"+ns.Name] = ns.Labels
		}
		for _, c := range pod.Containers {
			for _, from := range c.EnvFrom {
				if from.ConfigMapRef != nil {
					if cm := m.configMap(from.ConfigMapRef.Name); cm != nil {
						needs["ConfigMap/"+cm.Name] = cm.Labels
					}
				}
			}
		}
		// The database's and the store's names.
		for _, s := range m.Services {
			if s.Spec.Type == corev1.ServiceTypeExternalName {
				needs["Service/"+s.Name] = s.Labels
			}
		}
		for name, l := range needs {
			if l[migrateLabel] != "true" {
				p.add("%s, which Job/%s needs, lacks the label %s=true: it would not be applied before the Job", name, j.Name, migrateLabel)
			}
		}
	}
}

// checkServices: each Service reaches the pods of exactly one Deployment, on a port they have.
func checkServices(m *manifests, p *problems) {
	for _, s := range m.Services {
		if s.Spec.Type == corev1.ServiceTypeExternalName {
			if s.Spec.ExternalName == "" {
				p.add("Service/%s: ExternalName without externalName", s.Name)
			}
			continue
		}
		var targets []*appsv1.Deployment
		for _, d := range m.Deployments {
			if len(s.Spec.Selector) > 0 && labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
				targets = append(targets, d)
			}
		}
		if len(targets) != 1 {
			p.add("Service/%s selects the pods of %d Deployments, want 1", s.Name, len(targets))
			continue
		}
		for _, port := range s.Spec.Ports {
			found := false
			for i := range targets[0].Spec.Template.Spec.Containers {
				if containerPort(&targets[0].Spec.Template.Spec.Containers[i], port.TargetPort) != 0 {
					found = true
				}
			}
			if !found {
				p.add("Service/%s: targetPort %s is no port of Deployment/%s", s.Name, port.TargetPort.String(), targets[0].Name)
			}
		}
	}
}

// checkIngresses: the public address is the one certificates print, and the proxy lets an
// upload part (and a scan) through, however slow the phone.
func checkIngresses(m *manifests, p *problems) {
	var base *url.URL
	partSize := contest.DefaultUploadSettings().PartSize
	for _, d := range m.Deployments {
		if d.Labels[componentLabel] != "web" || len(d.Spec.Template.Spec.Containers) == 0 {
			continue
		}
		var ignored problems
		env := m.environment(&d.Spec.Template.Spec.Containers[0], &ignored, "")
		u, err := url.Parse(env["CONTEST_BASE_URL"].value)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			p.add("CONTEST_BASE_URL %q is not an https address: certificates print it", env["CONTEST_BASE_URL"].value)
		} else {
			base = u
		}
		if v := env["CONTEST_UPLOAD_PART_BYTES"].value; v != "" {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				partSize = n
			}
		}
	}
	bodyNeeded := max(partSize, contest.MaxScanBytes+1<<20)
	timeoutNeeded := time.Duration(partSize*8/slowUplink) * time.Second
	if len(m.Ingresses) == 0 {
		p.add("no Ingress")
	}
	for _, in := range m.Ingresses {
		where := "Ingress/" + in.Name
		if in.Spec.IngressClassName == nil {
			p.add("%s: no ingressClassName", where)
		}
		a := in.Annotations
		const prefix = "nginx.ingress.kubernetes.io/"
		if size, err := nginxSize(a[prefix+"proxy-body-size"]); err != nil || (size != 0 && size < bodyNeeded) {
			p.add("%s: proxy-body-size %q is below %d bytes (an upload part or a scan of a 作品授权书)", where, a[prefix+"proxy-body-size"], bodyNeeded)
		}
		if a[prefix+"proxy-request-buffering"] != "off" {
			p.add("%s: proxy-request-buffering must be off: nginx would hold each upload on its disk first", where)
		}
		for _, k := range []string{"proxy-read-timeout", "proxy-send-timeout"} {
			if s, err := strconv.Atoi(a[prefix+k]); err != nil || time.Duration(s)*time.Second < timeoutNeeded {
				p.add("%s: %s %q is shorter than one part at %d kbit/s (%v)", where, k, a[prefix+k], slowUplink/1000, timeoutNeeded)
			}
		}
		for _, rule := range in.Spec.Rules {
			if base != nil && rule.Host != base.Hostname() {
				p.add("%s: host %s is not CONTEST_BASE_URL's %s", where, rule.Host, base.Hostname())
			}
			if !slices.ContainsFunc(in.Spec.TLS, func(t networkingv1.IngressTLS) bool { return slices.Contains(t.Hosts, rule.Host) }) {
				p.add("%s: host %s has no TLS", where, rule.Host)
			}
			if rule.HTTP == nil {
				continue
			}
			for _, path := range rule.HTTP.Paths {
				b := path.Backend.Service
				if b == nil {
					p.add("%s: a path without a Service backend", where)
					continue
				}
				s := m.service(b.Name)
				if s == nil || s.Spec.Type == corev1.ServiceTypeExternalName {
					p.add("%s: backend Service/%s is not one of the manifests' Services", where, b.Name)
					continue
				}
				if !slices.ContainsFunc(s.Spec.Ports, func(sp corev1.ServicePort) bool {
					return (b.Port.Name != "" && sp.Name == b.Port.Name) || (b.Port.Number != 0 && sp.Port == b.Port.Number)
				}) {
					p.add("%s: Service/%s has no port %s%d", where, b.Name, b.Port.Name, b.Port.Number)
				}
			}
		}
	}
}

// nginxSize reads an nginx size (64m, 1g, 512k, bytes); 0 means no limit.
func nginxSize(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("not set")
	}
	mult := int64(1)
	switch s[len(s)-1] {
	case 'k', 'K':
		mult = 1 << 10
	case 'm', 'M':
		mult = 1 << 20
	case 'g', 'G':
		mult = 1 << 30
	}
	if mult > 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n * mult, err
}
