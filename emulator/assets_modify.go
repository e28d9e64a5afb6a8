package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// assetUpdateRequest is the body of PUT …/<type>/{AssetId}; the pipeline
// has rejected any field but meta.description. Description is kept raw to
// tell an absent field from null.
type assetUpdateRequest struct {
	Meta struct {
		Description json.RawMessage `json:"description"`
	} `json:"meta"`
}

// assetUpdate serves PUT …/<type>/{AssetId}: it sets meta.description, or
// clears it when the request says "description": null; an absent
// description is kept as it is (a real tenant reads absent as
// "unchanged"). It bumps updateCount and answers 202 with the asset,
// status Updating.
func (s *Server) assetUpdate(t *assetType) handlerFunc {
	return func(c *call) reply {
		var req assetUpdateRequest
		if len(c.body) > 0 {
			if err := json.Unmarshal(c.body, &req); err != nil {
				return c.fail(http.StatusBadRequest, "request body: %s", jsonProblem(err))
			}
		}
		var desc *string
		if raw := req.Meta.Description; raw != nil && string(raw) != "null" {
			if err := json.Unmarshal(raw, &desc); err != nil {
				return c.fail(http.StatusBadRequest, "meta.description must be a string or null")
			}
		}
		return writeTo(s, c, s.assetOf(t), func(a *asset) reply {
			if req.Meta.Description != nil {
				a.Description = desc
			}
			a.UpdateCount++
			a.UpdatedAt = c.now.UTC()
			a.UpdatedBy = c.who.User
			a.Phase = statusUpdating
			return ok(http.StatusAccepted, s.render(a, assetView{status: true, fresh: true, now: c.now}))
		})
	}
}

// inactiveStatuses are workload states that no longer hold a credential:
// usedBy still lists such workloads, but they do not block a delete.
var inactiveStatuses = []string{"Stopped", "Completed", "Succeeded", "Failed", "Deleted"}

// assetDelete serves DELETE …/<type>/{AssetId}: 412 while active workloads
// use the asset (any status but those of inactiveStatuses), else the
// success status the spec lists for the type (202 with an HttpResponse
// body, or 204). With Options.DeleteDelay the asset is only marked as
// being deleted (see deleting.go); deleting it again answers the same.
func (s *Server) assetDelete(t *assetType, status int) handlerFunc {
	return func(c *call) reply {
		return writeTo(s, c, s.assetOf(t), func(a *asset) reply {
			var active []string
			for _, w := range a.UsedBy {
				if !slices.Contains(inactiveStatuses, w.Status) {
					active = append(active, w.Name)
				}
			}
			if len(active) > 0 {
				return c.fail(http.StatusPreconditionFailed, "%s credential %q (%s) is used by workloads: %s", t.path, a.Name, a.ID, strings.Join(active, ", "))
			}
			switch {
			case a.DeletedAt != nil: // being deleted already
			case s.opts.DeleteDelay > 0:
				s.markDeleting(a, c.now, c.who.User)
				s.noteDeleted(a, c.now)
			default:
				s.removeAsset(a)
				s.noteDeleted(a, c.now)
			}
			if status == http.StatusNoContent {
				return reply{status: status}
			}
			return ok(status, errorBody{Code: status, Message: "deletion of " + t.path + " credential " + a.ID + " accepted"})
		})
	}
}
