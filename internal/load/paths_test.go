package load

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.0.0.1:8080/", true},
		{"http://127.0.0.1", true},
		{"https://127.0.0.1:8443/strata", true},
		{"http://127.255.255.254:1", true},
		{"http://localhost:8080", true},
		{"http://LOCALHOST:8080", true},
		{"http://localhost.:8080", true},
		{"http://[::1]:8080", true},
		{"http://[::ffff:127.0.0.1]:8080", true},
		{"http://[::1%25lo]:8080", true},
		{"http://10.0.0.1:8080", false},
		{"http://192.168.1.10", false},
		{"http://0.0.0.0:8080", false},
		{"http://128.0.0.1", false},
		{"http://[::]:8080", false},
		{"http://[2001:db8::1]:8080", false},
		{"http://example.com", false},
		{"http://localhost.example.com", false},
		{"http://127.0.0.1.nip.io", false},
		{"http://127.1:8080", false},
		{"http://2130706433", false},
		{"http://sub.localhost", false},
		{"ftp://127.0.0.1", false},
		{"127.0.0.1:8080", false},
		{"//127.0.0.1:8080", false},
		{"", false},
		{"http://user:pw@127.0.0.1:8080", false},
		{"http://127.0.0.1:8080/?q=1", false},
		{"http://127.0.0.1:8080/#frag", false},
		{"http://evil.com@127.0.0.1", false},
		{"http://127.0.0.1@evil.com", false},
		{"http://%31%32%37.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := CheckLoopback(tt.url)
			if (err == nil) != tt.ok {
				t.Errorf("CheckLoopback(%q) = %v, want ok %v", tt.url, err, tt.ok)
			}
		})
	}
}

func TestDialControl(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:80", true},
		{"127.9.8.7:80", true},
		{"[::1]:80", true},
		{"10.0.0.1:80", false},
		{"[2001:db8::1]:443", false},
		{"0.0.0.0:80", false},
		{"example.com:80", false},
		{"127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if err := DialControl("tcp", tt.addr, nil); (err == nil) != tt.ok {
				t.Errorf("DialControl(%q) = %v, want ok %v", tt.addr, err, tt.ok)
			}
		})
	}
}

func TestReadPaths(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr bool
	}{
		{"one", "/a\n", []string{"/a"}, false},
		{"no final newline", "/a\n/b?x=1", []string{"/a", "/b?x=1"}, false},
		{"crlf and spaces", " /a \r\n\t/b\r\n", []string{"/a", "/b"}, false},
		{"comments and blanks", "# list\n\n/a\n#/b\n", []string{"/a"}, false},
		{"empty", "", nil, true},
		{"only comments", "# nothing\n\n", nil, true},
		{"relative", "a/b\n", nil, true},
		{"absolute URL", "http://example.com/\n", nil, true},
		{"scheme-relative", "//example.com/x\n", nil, true},
		{"userinfo trick", "@example.com/\n", nil, true},
		{"inner space", "/a b\n", nil, true},
		{"control character", "/a\x00b\n", nil, true},
		{"too long", "/" + strings.Repeat("a", maxPathLen) + "\n", nil, true},
		{"very long line", "/" + strings.Repeat("a", 100_000) + "\n", nil, true},
		{"bad escape", "/a%zz\n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readPaths(strings.NewReader(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("readPaths: %v, want error %v", err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("readPaths = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadPathsFile(t *testing.T) {
	got, err := ReadPathsFile("testdata/paths.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/collections/points/items?bbox=34,31,35,32&limit=10",
		"/tiles/WebMercatorQuad/8/104/151?datetime=2023-10-15",
		"/",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ReadPathsFile = %q, want %q", got, want)
	}
	if _, err := ReadPathsFile("testdata/missing.txt"); err == nil {
		t.Error("ReadPathsFile of a missing file: no error")
	}
}

func FuzzReadPaths(f *testing.F) {
	f.Add("/a\n/b?x=1\n")
	f.Add("# c\n\n /collections/points/items?bbox=34,31,35,32 \r\n")
	f.Add("@evil.com/\n")
	f.Add("//evil.com\n")
	f.Add("/\x00\n")
	f.Fuzz(func(t *testing.T, in string) {
		paths, err := readPaths(strings.NewReader(in))
		if err != nil {
			if paths != nil {
				t.Fatalf("readPaths returned paths %q with error %v", paths, err)
			}
			return
		}
		if len(paths) == 0 {
			t.Fatal("readPaths returned no paths and no error")
		}
		for _, p := range paths {
			if p == "" || p[0] != '/' || strings.ContainsAny(p, " \t\r\n") || len(p) > maxPathLen {
				t.Fatalf("readPaths returned bad path %q", p)
			}
			// Appended to a loopback base URL, no path may change the host.
			for _, base := range []string{"http://127.0.0.1:8080", "http://[::1]:9/prefix"} {
				u, err := url.Parse(base + p)
				if err != nil {
					t.Fatalf("%s%s does not parse: %v", base, p, err)
				}
				if !loopbackHost(u.Hostname()) || u.User != nil {
					t.Fatalf("path %q moves %s to host %q", p, base, u.Host)
				}
			}
		}
	})
}

func TestMakePaths(t *testing.T) {
	dir := filepath.Join("testdata", "bench")
	tests := []struct {
		kind, layer string
		want        []string
	}{
		{kindItems, "points", []string{
			"/collections/points/items?bbox=34.453125,30.751278,34.804688,31.052934&datetime=2023-10-15&limit=1000",
			"/collections/points/items?bbox=34.277344,31.503629,34.453125,31.653381&datetime=2023-11-15&limit=1000",
			"/collections/points/items?bbox=34.628906,31.278551,34.716797,31.353637&datetime=2023-10-15&limit=1000",
		}},
		{kindItems, "polygons", []string{
			"/collections/polygons/items?bbox=34.453125,30.751278,34.804688,31.052934&datetime=2023-10-15&limit=1000",
			"/collections/polygons/items?bbox=34.277344,31.503629,34.453125,31.653381&datetime=2023-11-15&limit=1000",
			"/collections/polygons/items?bbox=34.628906,31.278551,34.716797,31.353637&datetime=2023-10-15&limit=1000",
		}},
		// tiles.txt is z/x/y; the OGC path is z/y/x.
		{kindTiles, "points", []string{
			"/tiles/WebMercatorQuad/8/104/151?datetime=2023-10-15",
			"/tiles/WebMercatorQuad/9/208/303?datetime=2023-11-15",
			"/tiles/WebMercatorQuad/14/6646/9766?datetime=2023-10-15",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"-"+tt.layer, func(t *testing.T) {
			got, err := MakePaths(tt.kind, dir, tt.layer)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("MakePaths =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			// What MakePaths writes, readPaths reads back.
			back, err := readPaths(strings.NewReader(strings.Join(got, "\n")))
			if err != nil || !slices.Equal(back, got) {
				t.Errorf("readPaths of MakePaths output = %q, %v", back, err)
			}
		})
	}
	errTests := []struct{ name, kind, dir, layer string }{
		{"unknown kind", "features", dir, "points"},
		{"missing dir", kindItems, filepath.Join("testdata", "nope"), "points"},
		{"bad layer", kindItems, dir, "a/b"},
		{"empty layer", kindItems, dir, ""},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := MakePaths(tt.kind, tt.dir, tt.layer); err == nil {
				t.Error("no error")
			}
		})
	}
}

// TestMakePathsSharedBench builds the real lists when shared/bench is
// there: 200 items and 203 tile requests.
func TestMakePathsSharedBench(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "bench")
	if _, err := os.Stat(filepath.Join(dir, "tiles.txt")); err != nil {
		t.Skip("shared/bench not found")
	}
	for kind, n := range map[string]int{kindItems: 200, kindTiles: 203} {
		got, err := MakePaths(kind, dir, "points")
		if err != nil || len(got) != n {
			t.Errorf("MakePaths(%s): %d paths, %v; want %d", kind, len(got), err, n)
		}
	}
}

func TestPathBuilderErrors(t *testing.T) {
	dates := []string{"2024-01-15"}
	tests := []struct {
		name  string
		build func() ([]string, error)
	}{
		{"no bboxes", func() ([]string, error) { return itemsPaths("points", nil, dates) }},
		{"no dates", func() ([]string, error) { return itemsPaths("points", []string{"1,2,3,4"}, nil) }},
		{"three numbers", func() ([]string, error) { return itemsPaths("points", []string{"1,2,3"}, dates) }},
		{"not a number", func() ([]string, error) { return itemsPaths("points", []string{"1,2,x,4"}, dates) }},
		{"NaN", func() ([]string, error) { return itemsPaths("points", []string{"1,2,NaN,4"}, dates) }},
		{"date with space", func() ([]string, error) { return itemsPaths("points", []string{"1,2,3,4"}, []string{"2024 01"}) }},
		{"no tiles", func() ([]string, error) { return tilesPaths(nil, dates) }},
		{"tile of two numbers", func() ([]string, error) { return tilesPaths([]string{"8/151"}, dates) }},
		{"tile x out of range", func() ([]string, error) { return tilesPaths([]string{"1/2/0"}, dates) }},
		{"tile y out of range", func() ([]string, error) { return tilesPaths([]string{"0/0/1"}, dates) }},
		{"negative tile", func() ([]string, error) { return tilesPaths([]string{"3/-1/0"}, dates) }},
		{"zoom too deep", func() ([]string, error) { return tilesPaths([]string{"31/0/0"}, dates) }},
		{"tile dates empty", func() ([]string, error) { return tilesPaths([]string{"0/0/0"}, []string{""}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := tt.build(); err == nil {
				t.Errorf("no error; paths %q", got)
			}
		})
	}
	got, err := itemsPaths("points", []string{"1,2,3,4"}, []string{"2024-01-15T10:00:00+02:00"})
	if want := "/collections/points/items?bbox=1,2,3,4&datetime=2024-01-15T10%3A00%3A00%2B02%3A00&limit=1000"; err != nil || got[0] != want {
		t.Errorf("itemsPaths with a timestamp = %q, %v; want %q", got, err, want)
	}
}
