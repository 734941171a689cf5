package geo

import "math"

// MaxMercatorLat is the latitude at which Web Mercator ends.
const MaxMercatorLat = 85.05112877980659

// MercatorY returns the Web Mercator y of latitude lat, from 0 at the top
// of the world (MaxMercatorLat) to 1 at its bottom, latitudes beyond the
// limit taken at it: the form vector tiles project with, which a store
// may compute ahead (PointHit.MercY).
func MercatorY(lat float64) float64 {
	lat = min(max(lat, -MaxMercatorLat), MaxMercatorLat)
	s := math.Sin(lat * math.Pi / 180)
	return 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)
}
