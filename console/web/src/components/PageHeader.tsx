import { GalleryIcon } from './Icons';

export function PageHeader() {
  return (
    <header className="page-header">
      <div className="page-header-icon">
        <GalleryIcon />
      </div>
      <div>
        <h1>My Assets</h1>
        <p className="subtitle">View and manage your generated assets</p>
      </div>
    </header>
  );
}
