package tiles_test

import (
	"errors"
	"fmt"

	"strata/geo"
	"strata/tiles"
)

func ExampleParseTile() {
	t, err := tiles.ParseTile("8", "104", "152")
	fmt.Println(t.Z, t.X, t.Y, err)

	_, err = tiles.ParseTile("8", "256", "152")
	fmt.Println(errors.Is(err, geo.ErrInvalid), err)
	// Output:
	// 8 152 104 <nil>
	// true tile row "256" is not a whole number from 0 to 255 at zoom 8
}
