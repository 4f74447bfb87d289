package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

var _ function.Function = (*workerLogConfigFunction)(nil)

// NewWorkerLogConfigFunction is the worker_log_config function factory.
func NewWorkerLogConfigFunction() function.Function { return &workerLogConfigFunction{} }

// workerLogConfigFunction renders a worker's log config. It replaces synapse_worker's
// log_config_yaml (0.1.0): the same template in every worker but for the name, which made every
// worker's plan and state carry it.
type workerLogConfigFunction struct{}

func (f *workerLogConfigFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "worker_log_config"
}

func (f *workerLogConfigFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	c := catalog.MustFor(catalog.Latest())
	resp.Definition = function.Definition{
		Summary: "The log config of a Synapse worker.",
		MarkdownDescription: "Renders the log config a `synapse_worker` points at (`worker_log_config`, the worker's " +
			"`log_config_path`): a Python logging dictConfig writing to the console, each line tagged with the worker " +
			"name, the root logger at `log_level`. Write it at the worker's `log_config_path`, e.g. " +
			"`provider::synapse::worker_log_config(w.name, w.log_level)`. The same text `log_config_yaml` of 0.1.0 held.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "name", MarkdownDescription: "The worker's `name`."},
			function.StringParameter{Name: "log_level", AllowNullValue: true,
				MarkdownDescription: "The root log level: " + backticked(c.LogLevels) + " (the worker's `log_level`); null means `" +
					fleet.DefaultLogLevel + "`, as for a worker that leaves `log_level` unset."},
		},
		Return: function.StringReturn{},
	}
}

func (f *workerLogConfigFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var name string
	var levelArg *string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &name, &levelArg))
	if resp.Error != nil {
		return
	}
	level := fleet.DefaultLogLevel
	if levelArg != nil {
		level = *levelArg
	}
	out, ps := fleet.RenderWorkerLogConfig(catalog.MustFor(catalog.Latest()), name, level)
	for _, p := range ps.Errors() {
		arg := int64(0)
		if strings.HasPrefix(p.Path, "log_level") {
			arg = 1
		}
		resp.Error = function.ConcatFuncErrors(resp.Error, function.NewArgumentFuncError(arg, p.Detail))
	}
	if resp.Error != nil {
		return
	}
	resp.Error = resp.Result.Set(ctx, out)
}
