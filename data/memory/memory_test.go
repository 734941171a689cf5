package memory_test

import (
	"testing"

	"strata/data/memory"
	"strata/data/storetest"
	"strata/geo"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) geo.Store { return memory.New() })
}
