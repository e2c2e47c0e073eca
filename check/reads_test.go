package check

import (
	"reflect"
	"testing"
)

func TestFieldReads(t *testing.T) {
	for _, c := range []struct {
		text, field string
		want        [][2]string
	}{
		{"sdp->sd_tune.gt_logd_secs", "gt_logd_secs", [][2]string{{"sdp->sd_tune", "."}}},
		{"gt->gt_logd_secs*HZ", "gt_logd_secs", [][2]string{{"gt", "->"}}},
		{"&tune->gt_statfs_quantum", "gt_statfs_quantum", nil},           // an accessor's argument
		{"sdp->sd_tune.gt_logd_secs_max", "gt_logd_secs", nil},           // a longer name
		{"gt_logd_secs+1", "gt_logd_secs", nil},                          // a local of that name
		{"f(a->x.n,b->n)", "n", [][2]string{{"a->x", "."}, {"b", "->"}}}, // each read
	} {
		if got := fieldReads(c.text, c.field); !reflect.DeepEqual(got, c.want) {
			t.Errorf("fieldReads(%q, %q) = %v, want %v", c.text, c.field, got, c.want)
		}
	}
}

func TestEmbeddingObject(t *testing.T) {
	for in, want := range map[string]string{
		"sdp->sd_tune":     "sdp",
		"sdp->a.b":         "sdp",
		"vma":              "vma",
		"s.inner.deeper":   "s",
		"p->q->r":          "p->q",
		"dev->priv->stats": "dev->priv",
	} {
		if got := embeddingObject(in); got != want {
			t.Errorf("embeddingObject(%q) = %q, want %q", in, got, want)
		}
	}
}
