package pipeline

import "sync/atomic"

type atomicString struct{ v atomic.Value }

func (s *atomicString) Store(v string) { s.v.Store(v) }

func (s *atomicString) Load() string {
	v, _ := s.v.Load().(string)
	return v
}
