// Command asserts lists the locks that the exported functions of a kernel
// tree assert held on their way in, in the form of check/asserted.tsv.
// Run from the tree's root so that the paths it writes are the tree's:
//
//	cd bench/linux && go run ../asserts . > ../../check/asserted.tsv
//
// (bench/asserts.sh does that.)
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/locklint/locklint/check"
	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: asserts DIR...")
		os.Exit(2)
	}
	set, err := rules.Default()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	all, err := parse.Sources(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var files []string
	for _, f := range all {
		if strings.HasSuffix(f, ".c") {
			files = append(files, f)
		}
	}
	work := make(chan *parse.File, 8)
	var mu sync.Mutex
	count := map[string]int{} // exported definitions by name
	var lines []string
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				got := check.Asserts(set, []*parse.File{f})
				mu.Lock()
				for _, fn := range f.Functions {
					if !fn.Static {
						count[fn.Name]++
					}
				}
				lines = append(lines, got...)
				mu.Unlock()
			}
		}()
	}
	parse.ParseFiles(context.Background(), files, 0, func(r parse.Result) {
		if r.Err != nil {
			fmt.Fprintln(os.Stderr, r.Err)
			return
		}
		work <- r.File
	})
	close(work)
	wg.Wait()
	sort.Strings(lines)
	fmt.Println("# function\tclass\tparam\tpath\tfile\tline\tassertion\tasserted in (bench/asserts.sh writes this file)")
	for _, l := range lines {
		// a name the tree defines more than once (per architecture, per
		// configuration) is not one function: left out
		if name, _, _ := strings.Cut(l, "\t"); count[name] == 1 {
			fmt.Println(l)
		}
	}
}
