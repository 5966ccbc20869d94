package pipeline

import "github.com/s1resolve/s1resolve/job"

// cpuProfile is a command's CPU profile (a developer's --cpuprofile FILE):
// one of the command's outputs like any other, so that it is checked
// against every other file before any work, written beside its place and
// committed with the rest, or not at all (a refused, failed or interrupted
// command leaves no profile, and any earlier file as it was).
type cpuProfile struct {
	out     *job.Output
	proc    Process
	running bool
}

// planProfile plans the profile at path ("" for none) in j.
func planProfile(j *job.Job, names Names, path string, proc Process) (*cpuProfile, error) {
	p := &cpuProfile{proc: proc}
	if path == "" {
		return p, nil
	}
	out, err := j.Output(names.of(ArgProfile), path)
	if err != nil {
		return nil, err
	}
	p.out = out
	return p, nil
}

// start begins profiling into the planned output, once the job has begun.
func (p *cpuProfile) start() error {
	if p.out == nil || p.proc.StartCPUProfile == nil {
		return nil
	}
	if err := p.proc.StartCPUProfile(p.out.Writer()); err != nil {
		return err
	}
	p.running = true
	return nil
}

// stop ends the profile, if it runs: before the job commits or aborts.
func (p *cpuProfile) stop() {
	if p.running {
		p.proc.StopCPUProfile()
		p.running = false
	}
}
