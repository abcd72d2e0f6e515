import { MAX_API_VERSION, MIN_API_VERSION } from './api-version.js';

/** Cinder's version document (cinder/api/versions.py): cinderclient reads `version` and `min_version`. */
export function versionsDocument(baseUrl: string) {
  return {
    versions: [
      {
        id: 'v3.0',
        status: 'CURRENT',
        version: MAX_API_VERSION.toString(),
        min_version: MIN_API_VERSION.toString(),
        updated: '2023-08-31T00:00:00Z',
        links: [
          { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
          { rel: 'self', href: `${baseUrl}/v3/` },
        ],
        'media-types': [
          { base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' },
        ],
      },
    ],
  };
}
