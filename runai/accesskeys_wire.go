package runai

// accessKeysPath is the collection of the caller's access keys.
const accessKeysPath = "/api/v1/access-keys"

// adminAccessKeysPath is the administration listing of every user's keys.
const adminAccessKeysPath = "/api/v1/administration/access-keys"

// accessKeyPath is one of the caller's keys.
func accessKeyPath(id string) string { return accessKeysPath + "/" + pathEscape(id) }

// adminAccessKeyPath is any user's key, for the administration delete.
func adminAccessKeyPath(id string) string { return adminAccessKeysPath + "/" + pathEscape(id) }

// accessKey is an entry of either listing; CreatedBy is only in the
// administration listing.
type accessKey struct {
	identity
	CreatedBy string `json:"createdBy"`
}

// accessKeyList is the reply of both listings.
type accessKeyList struct {
	AccessKeys []accessKey `json:"accessKeys"`
}
